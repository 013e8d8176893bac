import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ValidationError, describe } from '../../core/errors.js';
import type { Dataset, DatasetItem } from './dataset.js';

/**
 * Generic labeled dataset as JSON Lines, one item per line:
 *   {"text": "...", "label": "spam"}            text items, string or integer labels
 *   {"features": [1.5, 0, 2], "label": 3}       dense numeric items, all of one length
 * An optional "id" (string) names the item; other keys are ignored. Blank lines are skipped.
 * Any bad line stops the load with a ValidationError naming file:line and what was wrong, so a
 * malformed file never produces a half-loaded dataset.
 */
export type JsonlOptions = {
  /** Known class names in index order. Then a string label must be one of them, an integer label < K. */
  classes?: string[];
  /** Expected feature length (otherwise the first features line sets it). */
  featureSize?: number;
  /** Dataset name (defaults to the file's base name). */
  name?: string;
};

export const DATASET_LINE_INVALID = 'dataset.lineInvalid';
export const DATASET_INVALID = 'dataset.invalid';

function lineError(source: string, line: number, field: string, expected: string, got: unknown, cause?: unknown): ValidationError {
  const gotText = describe(got);
  return new ValidationError(DATASET_LINE_INVALID, `${source}:${line}: ${field}: expected ${expected}, got ${gotText}`, {
    field,
    expected,
    got: gotText,
    file: source,
    line,
  }, cause === undefined ? undefined : { cause });
}

export function loadJsonlDataset(path: string, options: JsonlOptions = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ValidationError(DATASET_INVALID, `${path}: expected a readable JSONL file, got ${(cause as Error).message}`, {
      field: 'path',
      file: path,
    }, { cause });
  }
  return parseJsonlDataset(text, { ...options, source: path, name: options.name ?? basename(path).replace(/\.jsonl?$/i, '') });
}

type RawLabel = { kind: 'string'; value: string } | { kind: 'int'; value: number };

export function parseJsonlDataset(text: string, options: JsonlOptions & { source?: string } = {}): Dataset {
  const source = options.source ?? '<jsonl>';
  const classes = options.classes;
  if (classes && (classes.length < 2 || new Set(classes).size !== classes.length)) {
    throw new ValidationError(DATASET_INVALID, `classes: expected at least 2 distinct class names, got ${describe(classes)}`, { field: 'classes' });
  }
  const classIndex = new Map(classes?.map((c, i) => [c, i]));
  let kind: 'text' | 'features' | undefined;
  let featureSize = options.featureSize;
  let labelKind: RawLabel['kind'] | undefined;
  const raw: { id: string; text?: string; features?: number[]; label: RawLabel; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const lineText = lines[i].trim();
    if (lineText === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(lineText);
    } catch (cause) {
      throw lineError(source, lineNo, 'line', 'a JSON object', `invalid JSON (${(cause as Error).message})`, cause);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw lineError(source, lineNo, 'line', 'a JSON object', obj);
    const rec = obj as Record<string, unknown>;
    const hasText = 'text' in rec, hasFeatures = 'features' in rec;
    if (hasText && hasFeatures) throw lineError(source, lineNo, 'text/features', 'exactly one of "text" or "features"', 'both');
    if (!hasText && !hasFeatures) throw lineError(source, lineNo, 'text/features', 'exactly one of "text" or "features"', 'neither');
    const lineKind = hasText ? 'text' : 'features';
    if (kind && lineKind !== kind) throw lineError(source, lineNo, lineKind, `"${kind}" like the earlier lines (no mixing)`, lineKind);
    kind = lineKind;
    let item: { text?: string; features?: number[] };
    if (hasText) {
      if (typeof rec.text !== 'string') throw lineError(source, lineNo, 'text', 'a string', rec.text);
      item = { text: rec.text };
    } else {
      const f = rec.features;
      if (!Array.isArray(f) || f.length === 0) throw lineError(source, lineNo, 'features', 'a non-empty array of numbers', f);
      for (let j = 0; j < f.length; j++) {
        if (typeof f[j] !== 'number' || !Number.isFinite(f[j])) throw lineError(source, lineNo, `features[${j}]`, 'a finite number', f[j]);
      }
      if (featureSize === undefined) featureSize = f.length;
      else if (f.length !== featureSize) throw lineError(source, lineNo, 'features', `length ${featureSize}`, `length ${f.length}`);
      item = { features: f as number[] };
    }
    if (!('label' in rec)) throw lineError(source, lineNo, 'label', 'a class name or integer class index', undefined);
    const l = rec.label;
    let label: RawLabel;
    if (typeof l === 'string' && l !== '') label = { kind: 'string', value: l };
    else if (typeof l === 'number' && Number.isInteger(l) && l >= 0) label = { kind: 'int', value: l };
    else throw lineError(source, lineNo, 'label', 'a non-empty string or a non-negative integer', l);
    if (labelKind && label.kind !== labelKind) throw lineError(source, lineNo, 'label', `a ${labelKind === 'int' ? 'integer' : 'string'} like the earlier lines`, l);
    labelKind = label.kind;
    if (classes) {
      const known = label.kind === 'string' ? classIndex.has(label.value) : label.value < classes.length;
      if (!known) throw lineError(source, lineNo, 'label', `one of ${describe(classes)}${label.kind === 'int' ? ` (index < ${classes.length})` : ''}`, l);
    }
    if ('id' in rec && typeof rec.id !== 'string') throw lineError(source, lineNo, 'id', 'a string', rec.id);
    const id = typeof rec.id === 'string' ? rec.id : `${basename(source)}:${lineNo}`;
    raw.push({ id, ...item, label, line: lineNo });
  }
  if (!kind || raw.length === 0) throw new ValidationError(DATASET_INVALID, `${source}: expected at least one item, got none`, { file: source });
  let labels: string[];
  let indexOf: (l: RawLabel) => number;
  if (classes) {
    labels = [...classes];
    indexOf = (l) => (l.kind === 'string' ? classIndex.get(l.value)! : l.value);
  } else if (labelKind === 'int') {
    // Integer labels keep their numeric order; the names are the numbers themselves.
    const values = [...new Set(raw.map((r) => r.label.value as number))].sort((a, b) => a - b);
    const pos = new Map(values.map((v, i) => [v, i]));
    labels = values.map(String);
    indexOf = (l) => pos.get(l.value as number)!;
  } else {
    labels = [...new Set(raw.map((r) => r.label.value as string))].sort();
    const pos = new Map(labels.map((v, i) => [v, i]));
    indexOf = (l) => pos.get(l.value as string)!;
  }
  if (labels.length < 2) {
    throw new ValidationError(DATASET_INVALID, `${source}: expected at least 2 classes, got ${describe(labels)}`, { file: source, field: 'label' });
  }
  const items: DatasetItem[] = raw.map((r) => ({ id: r.id, ...(r.text !== undefined ? { text: r.text } : { features: r.features }), label: indexOf(r.label) }));
  return { name: options.name ?? basename(source).replace(/\.jsonl?$/i, ''), labels, kind, ...(kind === 'features' ? { featureSize } : {}), items };
}

/**
 * Serializes a dataset back to JSONL, the inverse of parseJsonlDataset: labels by name, or as
 * integers when every class name is one (so numeric class order survives the round trip).
 */
export function toJsonl(dataset: Dataset): string {
  const numeric = dataset.labels.every((l) => /^(0|[1-9]\d{0,14})$/.test(l));
  const labelOf = (k: number): string | number => (numeric ? Number(dataset.labels[k]) : dataset.labels[k]);
  return dataset.items
    .map((it) => JSON.stringify({ id: it.id, ...(it.text !== undefined ? { text: it.text } : { features: it.features }), label: labelOf(it.label) }))
    .join('\n') + '\n';
}

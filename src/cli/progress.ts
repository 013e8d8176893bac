/**
 * A progress bar on stderr for long operations, only when a person watches: stderr is a terminal
 * and --json is off (scripts and tests read clean output). Otherwise every call is a no-op.
 */
export type Progress = { update(done: number): void; stop(): void };

const NONE: Progress = { update() {}, stop() {} };

export async function progressBar(label: string, total: number, flags: { json?: boolean }): Promise<Progress> {
  if (flags.json || !process.stderr.isTTY || total <= 0) return NONE;
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, progress.Presets.shades_classic);
  bar.start(total, 0);
  return { update: (done) => bar.update(Math.min(done, total)), stop: () => bar.stop() };
}

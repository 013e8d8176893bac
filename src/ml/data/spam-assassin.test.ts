import { describe, expect, it } from 'vitest';
import { classCounts } from './dataset.js';
import { loadSpamAssassin, loadSpamAssassinWithStats } from './spam-assassin.js';

describe('loadSpamAssassin', () => {
  const { dataset, stats } = loadSpamAssassinWithStats();

  it('has ham/spam labels, counts that add up, and both classes', () => {
    expect(dataset.labels).toEqual(['ham', 'spam']);
    expect(dataset.kind).toBe('text');
    expect(stats.raw).toBe(6046);
    expect(stats.kept + stats.duplicateBodies + stats.empty).toBe(stats.raw);
    expect(classCounts(dataset)).toEqual([stats.perClass.ham, stats.perClass.spam]);
    expect(stats.perClass.spam).toBeGreaterThan(1000);
    expect(stats.perClass.ham).toBeGreaterThan(3000);
  });

  it('drops duplicate bodies and keeps no routing headers', () => {
    const bodies = new Set<string>();
    let headerLeaks = 0;
    for (const item of dataset.items) {
      const body = item.text!.slice(item.text!.indexOf('\n\n') + 2).toLowerCase().replace(/\s+/g, ' ').trim();
      bodies.add(body);
      if (/^(received|return-path|delivered-to|list-id|x-mailer|message-id):/im.test(item.text!.slice(0, 300))) headerLeaks++;
    }
    expect(bodies.size).toBe(dataset.items.length);
    expect(stats.duplicateBodies).toBeGreaterThan(0);
    // A few messages quote headers inside their body text; the message's own headers are gone.
    expect(headerLeaks / dataset.items.length).toBeLessThan(0.05);
  });

  it('is deterministic and cached', () => {
    expect(loadSpamAssassin()).toBe(dataset);
    expect(dataset.items[0].id).toBe('easy-ham-1/00001');
  });
});

/**
 * The onAppend listener set both backends share. Notifications can arrive twice for one commit (the
 * same-process fast path and the cross-process path), so only a head higher than the last one
 * announced is passed on; a listener that throws must not break the store or the other listeners.
 */
export class AppendListeners {
  private readonly listeners = new Set<(headSeq: number) => void>();
  private lastAnnounced = 0;

  get size(): number {
    return this.listeners.size;
  }

  add(listener: (headSeq: number) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells listeners the log now reaches `headSeq` (ignored when not higher than before). */
  announce(headSeq: number): void {
    if (headSeq <= this.lastAnnounced) return;
    this.lastAnnounced = headSeq;
    for (const listener of [...this.listeners]) {
      try {
        listener(headSeq);
      } catch (error) {
        process.emitWarning(`onAppend listener threw: ${(error as Error)?.message ?? String(error)}`, 'HindsightStoreWarning');
      }
    }
  }

  /** Remember a head seen without announcing it (e.g. at open), so old events are not re-announced. */
  markSeen(headSeq: number): void {
    if (headSeq > this.lastAnnounced) this.lastAnnounced = headSeq;
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * Who is told that this connection committed (the Kubernetes facade's watch hub): once for the commits of
 * one turn of the event loop, soon after them.
 */
export class CommitNotices {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  /** Calls `listener` after commits; returns the unsubscribe. */
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A commit was made (or tried): the listeners run on the next turn of the loop. */
  notify(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }
}

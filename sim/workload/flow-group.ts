/**
 * fio's flow (flow.c): jobs with the same flow_id share their I/O in proportion to their `flow`
 * weights. A job may issue when its share of the group's I/Os so far is at most its share of the
 * group's weight; otherwise it waits (after flow_sleep, or until another job of the group issues).
 */

/** What a waiting job is told when it may look again. */
export interface FlowMember {
  flowWake(): void;
}

export class FlowGroup {
  /** I/Os issued by the group's jobs, and the weight of the jobs that are running. */
  private issued = 0;
  private weight = 0;
  private waiting: FlowMember[] = [];
  private spare: FlowMember[] = [];

  /** A job with `weight` starts (fio's flow_init_job adds it to the group's weight). */
  join(weight: number): void {
    this.weight += weight;
  }

  /** A job with `weight` has finished: the others may take its share. */
  leave(weight: number): void {
    this.weight -= weight;
    this.wakeAll();
  }

  /** Whether a job that has issued `mine` I/Os, of `weight`, must wait (fio's flow_threshold_exceeded). */
  exceeded(mine: number, weight: number): boolean {
    return this.issued > 0 && this.weight > 0 && mine / this.issued > weight / this.weight;
  }

  /** A job of the group issued an I/O: jobs waiting without a sleep look again. */
  count(): void {
    this.issued++;
    if (this.waiting.length > 0) this.wakeAll();
  }

  /** `member` waits until the next I/O of the group (or a job leaving). */
  wait(member: FlowMember): void {
    if (!this.waiting.includes(member)) this.waiting.push(member);
  }

  private wakeAll(): void {
    // Wake in arrival order (members post themselves an event, so none runs inside another's I/O); the
    // two lists swap so a wake allocates nothing.
    const woken = this.waiting;
    this.waiting = this.spare;
    this.spare = woken;
    for (const m of woken) m.flowWake();
    woken.length = 0;
  }
}

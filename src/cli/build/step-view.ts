/**
 * cli/build/step-view — `berth build`'s readable rendering of the legacy
 * build stream: one header per step (`[2/7] WORKDIR /usr/src/app`), RUN
 * output indented under it, and a closing line with the step's result and
 * its wall time (`=> 634aba6a0c19  cached  0.00s`). Pure apart from the clock
 * it is given.
 */
export interface StepViewOptions {
  write: (s: string) => void;
  now?: () => number;
}

export class StepView {
  private pending = '';
  private stepStart = 0;
  private cached = false;
  private inStep = false;
  private readonly now: () => number;

  constructor(private readonly o: StepViewOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  /** Feed a `stream` text chunk. */
  push(text: string): void {
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
  }

  /** Flush a last partial line. */
  end(): void {
    if (this.pending) this.line(this.pending);
    this.pending = '';
  }

  private elapsed(): string {
    return `${((this.now() - this.stepStart) / 1000).toFixed(2)}s`;
  }

  private line(l: string): void {
    const step = /^Step (\d+\/\d+) : (.*)$/.exec(l);
    if (step) {
      this.o.write(`[${step[1]}] ${step[2]}\n`);
      this.stepStart = this.now();
      this.cached = false;
      this.inStep = true;
      return;
    }
    if (l === ' ---> Using cache') { this.cached = true; return; }
    if (/^ ---> (Running in|Removed intermediate container) /.test(l)) return;
    const id = /^ ---> ([0-9a-f]{12})$/.exec(l);
    if (id && this.inStep) {
      this.o.write(`  => ${id[1]}  ${this.cached ? 'cached  ' : ''}${this.elapsed()}\n`);
      this.inStep = false;
      return;
    }
    if (this.inStep) this.o.write(`  | ${l}\n`);
    else this.o.write(`${l}\n`);
  }
}

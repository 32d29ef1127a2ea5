// Learning-rate schedules as pure functions of the step, matching transformers' get_*_schedule_with_warmup.

/** Maps a 0-based step to a multiplier of the base learning rate. */
export type Schedule = (step: number) => number;

/** Constant after a linear warm-up. */
export function constantWithWarmup(warmupSteps: number): Schedule {
  return (step) => (step < warmupSteps ? step / Math.max(1, warmupSteps) : 1);
}

/** Linear warm-up to 1, then linear decay to 0 at totalSteps. */
export function linearWithWarmup(warmupSteps: number, totalSteps: number): Schedule {
  return (step) => {
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  };
}

/** Linear warm-up, then a cosine from 1 down to 0 over `cycles` half-waves (0.5 = one half cosine). */
export function cosineWithWarmup(warmupSteps: number, totalSteps: number, cycles = 0.5): Schedule {
  return (step) => {
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress)));
  };
}

/** Drives an optimiser's learning rate from a schedule; call step() once per optimiser step. */
export class LrScheduler {
  #step = 0;

  constructor(
    private readonly optimizer: { setLr(lr: number): void },
    private readonly baseLr: number,
    private readonly schedule: Schedule,
  ) {
    optimizer.setLr(baseLr * schedule(0));
  }

  /** Advances one step and applies the new rate; returns it. */
  step(): number {
    this.#step += 1;
    const lr = this.baseLr * this.schedule(this.#step);
    this.optimizer.setLr(lr);
    return lr;
  }

  /** Jumps to `step` (a resumed run) and applies that step's rate. */
  seek(step: number): void {
    this.#step = step;
    this.optimizer.setLr(this.baseLr * this.schedule(step));
  }

  /** The learning rate in effect now. */
  get lr(): number {
    return this.baseLr * this.schedule(this.#step);
  }

  get currentStep(): number {
    return this.#step;
  }
}

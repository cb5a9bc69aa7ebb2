/** Time as the rate limiter and retries see it; tests pass a virtual clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket: `burst` requests at once, then `perSecond` on average. `take()` waits
 * for a token; the wait is computed, not polled.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  #tokens: number;
  #updatedAt: number;
  readonly #clock: Clock;

  constructor(perSecond: number, burst: number, clock: Clock = systemClock) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#updatedAt = clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond);
    this.#updatedAt = now;
  }

  /** Takes a token if one is there; false otherwise. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Waits until a token is there and takes it. Returns the milliseconds waited. */
  async take(): Promise<number> {
    let waited = 0;
    while (!this.tryTake()) {
      const ms = Math.ceil(((1 - this.#tokens) / this.perSecond) * 1000);
      await this.#clock.sleep(ms);
      waited += ms;
    }
    return waited;
  }
}

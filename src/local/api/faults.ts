/**
 * API fault injection (not AWS): a fraction of API calls fail with the protocol's throttling error and
 * another fraction with a 5xx, so clients' retry paths can be exercised (docs/local-cloud.md#fault-injection:
 * fraction of API calls"). Rates are probabilities in [0, 1].
 */
export interface ApiFaultRates {
  readonly throttleRate: number;
  readonly errorRate: number;
}

export type InjectedFault = 'throttled' | 'internalFailure' | 'serviceUnavailable';

export class ApiFaults {
  #rates: ApiFaultRates = { throttleRate: 0, errorRate: 0 };
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  get rates(): ApiFaultRates {
    return this.#rates;
  }

  set(rates: ApiFaultRates): void {
    const clamp = (n: number): number => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
    this.#rates = { throttleRate: clamp(rates.throttleRate), errorRate: clamp(rates.errorRate) };
  }

  /** Draws whether this call fails, and how. */
  draw(): InjectedFault | undefined {
    const { throttleRate, errorRate } = this.#rates;
    if (throttleRate === 0 && errorRate === 0) return undefined;
    const r = this.#random();
    if (r < throttleRate) return 'throttled';
    if (r < throttleRate + errorRate) return this.#random() < 0.5 ? 'internalFailure' : 'serviceUnavailable';
    return undefined;
  }
}

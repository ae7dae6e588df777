/**
 * Bounds on the guard-rail analysis, so a review of thousands of policies stays within seconds whatever the
 * selectors look like, and the counters that show a run stayed within them. A rule whose analysis hits a bound is
 * reported as not analysed rather than guessed.
 */
export interface GuardrailLimits {
  /** Alternatives (DNF terms) one selector may have in a satisfiability question. */
  maxDnfTerms: number;
  /** Work (alternatives tried, literals compared) one satisfiability question may do. */
  maxSatSteps: number;
  /** Work all satisfiability questions of the review may do together. */
  maxSatWork: number;
  /** Conditions one piece of traffic may collect on one side (each rule it was split from adds one). */
  maxConditionsPerPiece: number;
  /** Pieces one rule's traffic may be split into while walking the tiers above it. */
  maxPiecesPerRule: number;
  /** Piece-against-rule comparisons for one rule. */
  maxComparisonsPerRule: number;
  /** Piece-against-rule comparisons for the whole review. */
  maxComparisons: number;
  /** Rules (and policies, for the whole-policy question) analysed per review. */
  maxSubjects: number;
}

export const DEFAULT_LIMITS: GuardrailLimits = {
  maxDnfTerms: 256,
  maxSatSteps: 20_000,
  maxSatWork: 20_000_000,
  maxConditionsPerPiece: 400,
  maxPiecesPerRule: 256,
  maxComparisonsPerRule: 20_000,
  maxComparisons: 200_000,
  maxSubjects: 2_000,
};

export interface GuardrailStats {
  /** Rules and whole policies whose traffic was walked through the tiers. */
  subjects: number;
  /** Piece-against-rule comparisons made. */
  comparisons: number;
  /** Largest number of comparisons one subject needed. */
  maxComparisonsForOneSubject: number;
  /** Policies considered against some subject (after the namespace index and the applies-to test). */
  policiesConsidered: number;
  /** Policies ruled out without comparing rules (other namespace, disjoint applies-to selector). */
  policiesSkipped: number;
  satQueries: number;
  /** Work the satisfiability questions did (see maxSatWork). */
  satWork: number;
  /** Questions the selector reasoning could not decide; each either fell back to known workloads or stopped a subject. */
  satUnknown: number;
  fallbacks: number;
  /** Largest number of pieces one subject was split into. */
  maxPieces: number;
  /** Subjects given up on (budget or undecidable), with why. */
  abandoned: number;
}

export function emptyStats(): GuardrailStats {
  return { subjects: 0, comparisons: 0, maxComparisonsForOneSubject: 0, policiesConsidered: 0, policiesSkipped: 0, satQueries: 0, satWork: 0, satUnknown: 0, fallbacks: 0, maxPieces: 0, abandoned: 0 };
}

/** A question the analysis cannot answer, even with the known workloads: the subject is not analysed. */
export class Undecidable extends Error {}

/** A bound was reached: the subject is not analysed. */
export class BudgetExceeded extends Error {}

export class Budget {
  get sat(): { maxTerms: number; maxSteps: number } {
    return { maxTerms: this.limits.maxDnfTerms, maxSteps: this.limits.maxSatSteps };
  }

  readonly stats = emptyStats();
  private subjectComparisons = 0;

  constructor(readonly limits: GuardrailLimits) {}

  /** Starts a subject; false when the review's subject budget is spent. */
  startSubject(): boolean {
    if (this.stats.subjects >= this.limits.maxSubjects) return false;
    this.stats.subjects++;
    this.subjectComparisons = 0;
    return true;
  }

  compare(): void {
    this.stats.comparisons++;
    this.subjectComparisons++;
    if (this.subjectComparisons > this.stats.maxComparisonsForOneSubject) this.stats.maxComparisonsForOneSubject = this.subjectComparisons;
    if (this.subjectComparisons > this.limits.maxComparisonsPerRule) {
      throw new BudgetExceeded(`it needs more than ${this.limits.maxComparisonsPerRule} rule comparisons`);
    }
    if (this.stats.comparisons > this.limits.maxComparisons) {
      throw new BudgetExceeded(`the review's budget of ${this.limits.maxComparisons} rule comparisons is spent`);
    }
  }

  satDone(work: number): void {
    this.stats.satQueries++;
    this.stats.satWork += work;
    if (this.stats.satWork > this.limits.maxSatWork) throw new BudgetExceeded(`the review's budget of ${this.limits.maxSatWork} steps of selector reasoning is spent`);
  }

  conditions(n: number): void {
    if (n > this.limits.maxConditionsPerPiece) throw new BudgetExceeded(`its traffic is split by more than ${this.limits.maxConditionsPerPiece} rules`);
  }

  pieces(n: number): void {
    if (n > this.stats.maxPieces) this.stats.maxPieces = n;
    if (n > this.limits.maxPiecesPerRule) throw new BudgetExceeded(`its traffic splits into more than ${this.limits.maxPiecesPerRule} parts`);
  }
}

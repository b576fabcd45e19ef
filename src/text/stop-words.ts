// Stop-word lists the quality filters share.

/**
 * Gopher's stop words: a document must contain at least two of them (Rae et al. 2021, appendix A.1.1;
 * DataTrove's gopher_quality_filter.py STOP_WORDS). Matched case-sensitively, as DataTrove does:
 * "The" at the start of a sentence does not count.
 */
export const GOPHER_STOP_WORDS: readonly string[] = ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'];

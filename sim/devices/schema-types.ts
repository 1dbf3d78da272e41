/** Patterns shared by device parameter schemas, so a profile's bad value is caught with its path. */

/** A duration: a number with an optional unit (ns, us, ms, s), e.g. "75us", "3.8ms", "1200". */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)(e[+-]?\\d+)?\\s*(ns|nsec|us|usec|µs|ms|msec|s|sec)?\\s*$';

/** A size in fio's notation, e.g. "4k", "16KiB", "3.84T". */
export const SIZE_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*([kmgtpeKMGTPE]?)(i?)([bB]?)\\s*$';

/** A byte rate, e.g. "3.94GB/s", "800MB/s", "1GiB/s". */
export const BYTE_RATE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kmgtKMGT]?)(i?)[bB]?(/s)?\\s*$';

/** Process exit codes: 2 for a command line we cannot understand, as Kratos and most CLIs do. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

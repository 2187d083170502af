/** The API key the benchmark's application holds (the "key auth" cases send it). */
export const BENCH_KEY = 'pk_bench_0123456789abcdef0123456789abcdef';

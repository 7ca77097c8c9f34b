/** Lambda's cap on the state a tumbling-window function returns, per shard: 1 MB. */
export const MAX_STATE_BYTES_HINT = 1024 * 1024;

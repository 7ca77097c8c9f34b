/**
 * Real-time metrics per tumbling window: the pure domain of the aggregate function.
 *
 * How a handler drives it, per invocation of one shard's window:
 *
 *   let state = restoreState(event.state);
 *   state = accumulate(state, records);
 *   if (event.isFinalInvokeForWindow) {
 *     write(emitRows(state, window));            // the window's last part
 *     return { state: {} };
 *   }
 *   if (isStateTooLarge(state)) {
 *     write(emitRows(state, window));            // end this part early...
 *     state = nextPartState(state);              // ...and go on with the next
 *   }
 *   return { state };
 *
 * Rows are written before the state is returned, so a failure in between makes Lambda
 * retry with the previous state, which emits the same part again under the same key.
 */
export { accumulate } from './accumulate.ts';
export { formatMicros, MONEY_SCALE, parseMoney, toMicros } from './money.ts';
export { NO_CURRENCY } from './read-properties.ts';
export {
  emitRows,
  funnelRates,
  type EmittedRows,
  type FunnelRates,
  type MetricsRow,
  type ProductMetricsRow,
  type WindowKey,
} from './metric-rows.ts';
export {
  DEFAULT_WINDOW_LIMITS,
  emptyState,
  isStateTooLarge,
  nextPartState,
  restoreState,
  stateBytes,
  type WindowLimits,
  type WindowState,
} from './window-state.ts';

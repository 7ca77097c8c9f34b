import { randomUUID } from 'node:crypto';
import type { InvokeResult, LambdaInvoker } from '../lambda-invoker.ts';
import { eventText } from './event-text.ts';
import type { FaultSwitches, InvokeFault } from './fault-switches.ts';

/** Lambda's default function timeout (3 s), for a `timeout` switch without `timeoutMs`. */
export const DEFAULT_FAULT_TIMEOUT_MS = 3_000;

export interface FaultyInvokerOptions {
  /** The switches in force now (LocalStack's `faults.current`). */
  switches: () => FaultSwitches;
  /** serverless.yml's key of a deployed function name (`clickstream-local-aggregate` → `aggregate`). */
  functionKey: (functionName: string) => string;
  /** Told once per injected failure (the stack's log). */
  onFault?: (details: {
    functionKey: string;
    mode: InvokeFault['mode'];
    marker?: string;
    spent: number;
  }) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Invocation faults, as Lambda reports them to whoever invokes (event source mapping,
 * Firehose, S3's asynchronous invocation, the HTTP API): wraps the stack's LambdaInvoker
 * and, while `faults.json` has an `invoke` switch for the function (by serverless.yml key or
 * deployed name) whose marker is in the event (`event-text.ts`), answers a function error
 * instead of running the function:
 *
 * - `error`: what a handler that threw gives, a FunctionError "Unhandled" with the payload
 *   `{errorType, errorMessage}` (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html).
 * - `timeout`: after `timeoutMs` (the function's timeout), Lambda's timeout answer, also a
 *   FunctionError "Unhandled": errorType `Sandbox.Timedout`, errorMessage
 *   `RequestId: <id> Error: Task timed out after N.NN seconds`
 *   (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts).
 *
 * Both are function errors (`source: 'function'`): an event source mapping spends a retry
 * or bisects on them ("If the function returns an error, ... Lambda retries the batch",
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html), which
 * it does not for an Invoke API error. `times` limits how many invocations fail; the count
 * starts again when the switch is rewritten. No switch: the inner invoker, untouched.
 */
export function faultyInvoker(inner: LambdaInvoker, options: FaultyInvokerOptions): LambdaInvoker {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  /** Per function key: the switch as last seen (JSON) and how many failures it made. */
  const spent = new Map<string, { switch: string; count: number }>();

  const faultFor = (functionName: string, event: unknown) => {
    const invoke = options.switches().invoke;
    if (!invoke) return undefined;
    const key = options.functionKey(functionName);
    const name = invoke[key] ? key : invoke[functionName] ? functionName : undefined;
    const fault = name === undefined ? undefined : invoke[name];
    if (!name || !fault) return undefined;
    const signature = JSON.stringify(fault);
    const used = spent.get(name);
    const count = used?.switch === signature ? used.count : 0;
    if (fault.times !== undefined && count >= fault.times) return undefined;
    if (
      fault.whenEventContains !== undefined &&
      !eventText(event).includes(fault.whenEventContains)
    )
      return undefined;
    spent.set(name, { switch: signature, count: count + 1 });
    return { name, fault, spent: count + 1 };
  };

  return {
    async invoke(functionName, event): Promise<InvokeResult> {
      const hit = faultFor(functionName, event);
      if (!hit) return inner.invoke(functionName, event);
      const { fault } = hit;
      options.onFault?.({
        functionKey: hit.name,
        mode: fault.mode,
        ...(fault.whenEventContains === undefined ? {} : { marker: fault.whenEventContains }),
        spent: hit.spent,
      });
      if (fault.mode === 'error') {
        return {
          ok: false,
          errorType: 'Error',
          errorMessage: `injected fault: ${hit.name} threw${fault.whenEventContains === undefined ? '' : ` on an event containing ${JSON.stringify(fault.whenEventContains)}`}`,
          source: 'function',
        };
      }
      const timeoutMs = fault.timeoutMs ?? DEFAULT_FAULT_TIMEOUT_MS;
      await sleep(timeoutMs);
      return {
        ok: false,
        errorType: 'Sandbox.Timedout',
        errorMessage: timedOutMessage(randomUUID(), timeoutMs),
        source: 'function',
      };
    },
  };
}

/** Lambda's words for a function that ran out of time. */
export function timedOutMessage(requestId: string, timeoutMs: number): string {
  return `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
}

import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/**
 * How the local stand-ins call functions, as the AWS services do: with an event, getting
 * back either the function's result or its error. The stack uses serverless-offline's
 * Lambda Invoke API; contract tests may pass real functions in-process.
 */
export type InvokeResult =
  | { ok: true; payload: unknown }
  | {
      ok: false;
      errorType: string;
      errorMessage: string;
      /**
       * Who failed: the function itself (it ran and threw), or the Invoke API before it ran
       * (throttled, not found, unreachable). AWS retries the latter without spending retries.
       */
      source: 'function' | 'service';
    };

export interface LambdaInvoker {
  invoke(functionName: string, event: unknown): Promise<InvokeResult>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const nameOf = (error: unknown, fallback: string) =>
  error instanceof Error ? error.name : fallback;

/** Through the Lambda Invoke API (serverless-offline answers it on its lambdaPort). */
export function lambdaApiInvoker(client: LambdaClient): LambdaInvoker {
  return {
    async invoke(functionName, event) {
      let response;
      try {
        response = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            Payload: Buffer.from(JSON.stringify(event)),
          }),
        );
      } catch (error) {
        return {
          ok: false,
          errorType: nameOf(error, 'InvokeError'),
          errorMessage: messageOf(error),
          source: 'service',
        };
      }
      const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      const payload: unknown = text === '' ? null : safeJson(text);
      if (response.FunctionError) {
        const error = (payload ?? {}) as { errorType?: string; errorMessage?: string };
        return {
          ok: false,
          errorType: error.errorType ?? response.FunctionError,
          errorMessage: error.errorMessage ?? text,
          source: 'function',
        };
      }
      return { ok: true, payload };
    },
  };
}

/** Real functions called in this process; a thrown error is a function error, as on Lambda. */
export function inProcessInvoker(
  functions: Record<string, (event: unknown) => Promise<unknown> | unknown>,
): LambdaInvoker {
  return {
    async invoke(functionName, event) {
      const fn = functions[functionName];
      if (!fn) {
        return {
          ok: false,
          errorType: 'ResourceNotFoundException',
          errorMessage: `no function ${functionName}`,
          source: 'service',
        };
      }
      try {
        // A round trip through JSON, as the event and result cross the Invoke API.
        const payload: unknown = await fn(JSON.parse(JSON.stringify(event)));
        return {
          ok: true,
          payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)),
        };
      } catch (error) {
        return {
          ok: false,
          errorType: nameOf(error, 'Error'),
          errorMessage: messageOf(error),
          source: 'function',
        };
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/**
 * How the local stand-ins call functions, as the AWS services do: with an event, getting
 * back either the function's result or its error. The stack uses serverless-offline's
 * Lambda Invoke API; contract tests may pass real functions in-process.
 */
export type InvokeResult =
  { ok: true; payload: unknown } | { ok: false; errorType: string; errorMessage: string };

export interface LambdaInvoker {
  invoke(functionName: string, event: unknown): Promise<InvokeResult>;
}

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
        const name = error instanceof Error ? error.name : 'InvokeError';
        return {
          ok: false,
          errorType: name,
          errorMessage: error instanceof Error ? error.message : String(error),
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
      if (!fn)
        return {
          ok: false,
          errorType: 'ResourceNotFoundException',
          errorMessage: `no function ${functionName}`,
        };
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
          errorType: error instanceof Error ? error.name : 'Error',
          errorMessage: error instanceof Error ? error.message : String(error),
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

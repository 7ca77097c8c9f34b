import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The CloudFormation custom resource contract, as documented:
 * requests https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
 * responses https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 * CloudFormation waits (up to an hour) for a JSON document PUT to the request's pre-signed
 * S3 URL; a provider that never answers leaves the stack hanging, so every path answers.
 */
export interface CustomResourceRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  ResourceType: string;
  LogicalResourceId: string;
  /** Absent on Create; what the last response named, on Update and Delete. */
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho: boolean;
  Data?: Record<string, string>;
}

/** The whole response body may not exceed 4,096 bytes: a long error is cut to fit. */
const MAX_REASON = 2_000;

export function respond(
  request: CustomResourceRequest,
  outcome:
    | { status: 'SUCCESS'; physicalId: string; data?: Record<string, string> }
    | { status: 'FAILED'; physicalId: string; reason: string },
): CustomResourceResponse {
  return {
    Status: outcome.status,
    ...(outcome.status === 'FAILED'
      ? { Reason: outcome.reason.slice(0, MAX_REASON) }
      : { ...(outcome.data ? { Data: outcome.data } : {}) }),
    // "must be a non-empty string and must be identical for all responses for the same
    // resource": a changed id on Update is read as a replacement.
    PhysicalResourceId: outcome.physicalId,
    // Copied verbatim from the request, as the contract requires.
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    NoEcho: false,
  };
}

/**
 * PUTs the response to the pre-signed URL. The URL was signed with an empty Content-Type,
 * so the request must carry exactly that (fetch would add text/plain and S3 would answer
 * 403 SignatureDoesNotMatch). Any status but 2xx throws: the caller logs it.
 */
export function sendResponse(url: string, response: CustomResourceResponse): Promise<number> {
  const body = JSON.stringify(response);
  const target = new URL(url);
  const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(status);
          else reject(new Error(`the response URL answered ${status}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('the response URL did not answer in 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * SQS errors as the AWS JSON 1.0 protocol carries them. @aws-sdk/client-sqs is "awsQuery
 * compatible": it reads the `x-amzn-query-error: <query code>;Sender` header first and finds
 * the exception class whose query code matches, then falls back to `__type`; we send both so
 * that `error.name` (the class) and `error.Code` (the legacy query code) are both right.
 */
const CODES = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  InvalidMessageContents: 'InvalidMessageContents',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  InvalidParameterValue: 'InvalidParameterValue',
  MissingParameter: 'MissingParameter',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  InvalidAddress: 'InvalidAddress',
} as const;

export type SqsErrorName = keyof typeof CODES;

/**
 * The `__type` AWS sends where it differs from the name: errors the SDK has no class for keep
 * AWS's shape name (AWS's recorded answers: QueryErrorCode `InvalidParameterValueException`,
 * `MissingRequiredParameterException`), so the SDK names them as it does against AWS.
 */
const SHAPES: Partial<Record<SqsErrorName, string>> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
};

export class SqsError extends Error {
  constructor(
    readonly errorName: SqsErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'SqsError';
  }

  get queryCode(): string {
    return CODES[this.errorName];
  }

  /** The body and headers of the 400 answer. */
  toResponse(): { headers: Record<string, string>; body: string } {
    return {
      headers: { 'x-amzn-query-error': `${this.queryCode};Sender` },
      body: JSON.stringify({
        __type: `com.amazonaws.sqs#${SHAPES[this.errorName] ?? this.errorName}`,
        message: this.message,
      }),
    };
  }
}

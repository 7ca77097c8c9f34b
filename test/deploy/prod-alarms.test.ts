import { packageStage, type Packaged } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS, PROD_ENV } from './support/prod-env.ts';
import {
  at,
  conditionHolds,
  list,
  ofType,
  onlyOfType,
  referencedIds,
  type Resource,
  type Template,
} from './support/template.ts';

let packaged: Packaged | undefined;
let template: Template;

beforeAll(() => {
  packaged = packageStage('prod', PROD_ENV);
  template = packaged.template;
}, PACKAGE_TIMEOUT_MS);
afterAll(() => packaged?.cleanup());

const alarms = () => ofType(template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties ?? {});

/** The alarms on one metric whose dimension names the given resource. */
function alarmsOn(namespace: string, metric: string, target: string) {
  return alarms().filter(
    (a) =>
      a.Namespace === namespace &&
      a.MetricName === metric &&
      list(a.Dimensions as unknown[]).some((d) => referencedIds(at(d, 'Value')).has(target)),
  );
}

function expectOneAlarm(
  namespace: string,
  metric: string,
  target: string,
  expected: Record<string, unknown>,
): void {
  const found = alarmsOn(namespace, metric, target);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject(expected);
}

/** The functions on the data path (serverless's S3 custom resource runs once per deploy). */
/** The pipeline's functions: not the framework's, nor the deploy's schema migration (its failure is a failed stack). */
const dataPathFunctions = () =>
  ofType(template, 'AWS::Lambda::Function')
    .map(([id]) => id)
    .filter((id) => !id.startsWith('CustomDashresource') && id !== 'WarehouseSetupLambdaFunction');

describe('alarms in the prod template', () => {
  test('every alarm notifies the alarm topic, when it fires and when it clears', () => {
    const [topic] = onlyOfType(template, 'AWS::SNS::Topic');
    expect(alarms().length).toBeGreaterThanOrEqual(18);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: topic }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  test('consumers falling behind: the aggregate iterator age and the events Firehose lag', () => {
    expectOneAlarm('AWS/Lambda', 'IteratorAge', 'AggregateLambdaFunction', {
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 300000,
    });
    expectOneAlarm(
      'AWS/Firehose',
      'DataReadFromKinesisStream.MillisBehindLatest',
      'EventsDeliveryStream',
      { Statistic: 'Maximum', Threshold: 300000 },
    );
  });

  test.each(['WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded'])(
    'stream throttling: %s',
    (metric) => {
      expectOneAlarm('AWS/Kinesis', metric, 'ClickstreamStream', {
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );

  test.each(['EventsDeliveryStream', 'MetricsDeliveryStream'])(
    'Firehose %s: failed deliveries and stale data',
    (stream) => {
      expectOneAlarm('AWS/Firehose', 'DeliveryToS3.Success', stream, {
        Statistic: 'Minimum',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      });
      expectOneAlarm('AWS/Firehose', 'DeliveryToS3.DataFreshness', stream, {
        Statistic: 'Maximum',
        Threshold: 900,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );

  test('errors and throttles of every function', () => {
    expect(dataPathFunctions()).toHaveLength(5);
    for (const id of dataPathFunctions()) {
      for (const metric of ['Errors', 'Throttles'])
        expectOneAlarm('AWS/Lambda', metric, id, {
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        });
    }
  });

  test('anything in the dead-letter queue', () => {
    expectOneAlarm('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'DeadLetterQueue', {
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('no email subscription without an address; the dashboard exists in prod', () => {
    const [, subscription] = onlyOfType(template, 'AWS::SNS::Subscription');
    expect(subscription.Condition).toBe('HasAlarmEmail');
    expect(conditionHolds(template, 'HasAlarmEmail')).toBe(false);
    const [, dashboard] = onlyOfType(template, 'AWS::CloudWatch::Dashboard') as [string, Resource];
    expect(dashboard.Condition).toBe('CreateDashboard');
    expect(conditionHolds(template, 'CreateDashboard')).toBe(true);
    const body = String(at(dashboard.Properties, 'DashboardBody.Fn::Sub'));
    // CloudFormation substitutes the names, then it must be JSON with the widgets.
    const json = JSON.parse(body.replace(/\$\{[^}]+\}/g, 'x')) as { widgets: unknown[] };
    expect(json.widgets.length).toBeGreaterThanOrEqual(6);
    for (const id of [
      'HttpApi',
      'ClickstreamStream',
      'EventsDeliveryStream',
      'AggregateLambdaFunction',
    ])
      expect(body).toContain(`\${${id}}`);
  });
});

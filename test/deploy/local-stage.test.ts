import { packageStage, type Packaged } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS } from './support/prod-env.ts';
import { at, ofType, resource, type Template } from './support/template.ts';

/**
 * The local stage reads the same file: `npm start` hands the functions' environment to
 * serverless-offline as it is, and the local plugin reads the stream's shard count from
 * Resources. Deploy-only choices must therefore resolve to plain values here.
 */
let packaged: Packaged | undefined;
let template: Template;

beforeAll(() => {
  packaged = packageStage('local', {});
  template = packaged.template;
}, PACKAGE_TIMEOUT_MS);
afterAll(() => packaged?.cleanup());

describe('sls package --stage local', () => {
  test('every function environment variable is a plain string, no CloudFormation function', () => {
    const functions = ofType(template, 'AWS::Lambda::Function').filter(
      ([id]) => !id.startsWith('CustomDashresource'),
    );
    expect(functions).toHaveLength(6); // the five of the pipeline and the deploy-time warehouse setup
    for (const [id, fn] of functions) {
      const variables = at(fn.Properties, 'Environment.Variables') as Record<string, unknown>;
      const notStrings = Object.entries(variables)
        .filter(([, value]) => typeof value !== 'string')
        .map(([name]) => `${id}.${name}`);
      expect(notStrings).toEqual([]);
    }
  });

  test('the warehouse is local Postgres and the stream has a numeric shard count', () => {
    const load = at(resource(template, 'LoadLambdaFunction').Properties, 'Environment.Variables');
    expect(load).toMatchObject({
      WAREHOUSE_DIALECT: 'postgres',
      WAREHOUSE_URL: 'postgres://postgres@127.0.0.1:5439/analytics',
      REDSHIFT_COPY_ROLE_ARN: '',
    });
    expect(resource(template, 'ClickstreamStream').Properties).toMatchObject({
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 2,
    });
  });
});

// Serverless loads plugins with require(); this file lets the TypeScript plugin load too.
// Locally we run on Node 20; the deployed runtime is Node 22, so the SDK's notice does not apply.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
module.exports = require('./serverless-plugin.ts').OfflinePlatformPlugin;

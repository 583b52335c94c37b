// Imported first by local/main.ts: silences the SDK's "2027 releases need Node 22" notice before any client
// is built (some adapters build theirs at import). Known and noted in the README; Lambdas run nodejs22.x.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// asl-validator 4 ships no type declarations. Its CommonJS export is the validator function itself.
// Note: it mutates the definition it checks (adds QueryLanguage to every state): pass a copy.
declare module "asl-validator" {
  export interface AslValidationOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  export interface AslValidationResult {
    isValid: boolean;
    errors: Array<{ "Error code": string; Message: string }>;
    errorsText(separator?: string): string;
  }
  export default function aslValidator(
    definition: unknown,
    options?: AslValidationOptions,
  ): AslValidationResult;
}

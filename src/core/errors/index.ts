export { AwsError, awsError, isAwsError, toAwsError, type CodeWithDefaultMessage } from './aws-error.js';
export { COMMON_ERRORS, type CommonErrorInfo } from './common-errors.js';
export {
  errorInfo,
  isAwsErrorCode,
  listErrorCodes,
  lookupError,
  type AwsErrorCode,
  type CommonErrorCode,
  type ErrorInfo,
  type ModelErrorCode,
} from './error-registry.js';
export { constraint, validationError, validationMessage, violation, type ShownValue } from './validation-message.js';

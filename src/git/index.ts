/**
 * Everything rolecall asks of git, through `simple-git`. The core never imports this: it gets
 * commits, changed files and provenance as data.
 */
export { commitOf } from './commit-of.js';
export { changedFiles, type ChangedFilesOptions } from './changed-files.js';
export {
  blameFile,
  lineProvenance,
  GRANT_KEYS,
  GRANT_TIME_KEYS,
  type BlameOptions,
  type FileBlame,
} from './line-provenance.js';
export { loadPolicyProvenance, loadProvenance, type ProvenanceIndex } from './provenance-index.js';
export { prNumberOf } from './pr-number.js';
export { readFileAt } from './read-file-at.js';
export {
  commitOnBranch,
  commitOnNewBranch,
  type BranchCommit,
  type CommitOnBranchOptions,
  type FileChange,
  type GitIdentity,
} from './commit-on-branch.js';
export {
  pushBranch,
  type PushBranchOptions,
  type PushResult,
  type PushStatus,
} from './push-branch.js';
export { assertBranchName, branchSha, checkedOutBranches, deleteBranch } from './branches.js';
export {
  currentBranch,
  defaultRemote,
  defaultRemoteUrl,
  githubRepoOf,
  headSha,
  isRepository,
  remoteUrl,
  repoPrefix,
  repoRoot,
  resolveCommit,
  type GitHubRepoRef,
} from './repo-info.js';
export { redactGitText, stripUrlCredentials } from './redact-url.js';
export { commitIsPresent } from './commit-present.js';

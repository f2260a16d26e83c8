import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Runs test files in file-name order (suites are numbered), not by vitest's duration cache. */
export class FileNameSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

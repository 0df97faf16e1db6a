/**
 * The sample workflow the walkthrough shows (media/walkthrough/write-a-workflow.md) and
 * "New Workflow File" writes: run the tests, let Claude fix what fails, three runs at most.
 */
export function sampleWorkflow(testCommand = 'npm test'): object {
  return {
    id: 'test-and-fix',
    label: 'Test and fix',
    description: 'Run the tests and let Claude fix what fails, three runs at most.',
    steps: [
      {
        id: 'test',
        label: 'Run the tests',
        kind: 'shell',
        command: testCommand,
        timeoutSeconds: 600,
        onSuccess: '$complete',
        onFailure: 'fix',
        maxIterations: 3,
      },
      {
        id: 'fix',
        label: 'Fix the failure',
        kind: 'claude',
        prompt: 'The tests failed:\n\n{{steps.test.output}}\n\nFind the cause and fix it.',
        next: 'test',
      },
    ],
  };
}

/** The first of `test-and-fix.json`, `test-and-fix-2.json`, … that `exists` says is free. */
export function freeWorkflowFileName(exists: (name: string) => boolean): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? 'test-and-fix.json' : `test-and-fix-${n}.json`;
    if (!exists(name)) return name;
  }
}

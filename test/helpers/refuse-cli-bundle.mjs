// Preload (--import) for a start-up test: fails any compile of the CLI bundle, which
// src/boot/run-bundle.ts compiles with vm.Script, so a command that must not load it shows it did.
import vm from 'node:vm';

const Script = vm.Script;
vm.Script = class extends Script {
  constructor(...args) {
    if (String(args[0]).includes('__ferryImport')) throw new Error('the CLI bundle was compiled');
    super(...args);
  }
};

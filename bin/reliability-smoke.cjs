#!/usr/bin/env node
/*
 * The reliability-smoke command as npm installs it. The CLI itself (dist/cli/index.js) is an ES module bundle for
 * Node 24, which an older Node may refuse to even load, with an error that says nothing about the version. So this
 * file is plain CommonJS in syntax that any Node parses: it checks the version first, and only then loads the CLI.
 */
'use strict';

var REQUIRED_MAJOR = 24;
var version = process.versions.node;
var major = parseInt(version.split('.')[0], 10);

if (!(major >= REQUIRED_MAJOR)) {
  process.stderr.write(
    'reliability-smoke needs Node.js ' + REQUIRED_MAJOR + ' or newer, but this is Node.js ' + version +
      ' (' + process.execPath + ').\n' +
      'Install Node.js ' + REQUIRED_MAJOR + ' (for example `nvm install ' + REQUIRED_MAJOR + '`, or `node-version: ' + REQUIRED_MAJOR +
      '` in actions/setup-node) and run it again.\n' +
      'RESULT: fail\n'
  );
  process.exitCode = 2;
} else {
  var path = require('path');
  var url = require('url');
  import(url.pathToFileURL(path.join(__dirname, '..', 'dist', 'cli', 'index.js')).href).catch(function (error) {
    process.stderr.write('reliability-smoke: could not load dist/cli/index.js: ' + (error && error.stack ? error.stack : String(error)) + '\n');
    process.stderr.write('RESULT: fail\n');
    process.exitCode = 2;
  });
}

#!/usr/bin/env node
// The command, kept outside dist/ so that installing the package can link it before it is built.
import '../dist/cli.js';

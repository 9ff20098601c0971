#!/usr/bin/env node
/** berthd: argv → daemon. Nothing else lives here. */
import { main } from '../src/daemon/main.js';

void main(process.argv.slice(2));

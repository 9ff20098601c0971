/** cli/options/int-option — a commander parser for integer flags, failing with pflag's wording. Imports commander. */
import { InvalidArgumentError } from 'commander';

export function intOption(flag: string): (value: string) => number {
  return (value: string) => {
    if (!/^[-+]?\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`invalid argument "${value}" for "${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
    }
    return parseInt(value, 10);
  };
}

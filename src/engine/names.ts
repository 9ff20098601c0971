/**
 * engine/names — Docker-style random container names ("adjective_surname").
 * Our own word lists; uniqueness is checked by the caller against the store.
 */
const LEFT = ['admiring', 'affectionate', 'amazing', 'awesome', 'beautiful', 'blissful', 'bold', 'brave', 'busy', 'charming',
  'clever', 'compassionate', 'competent', 'confident', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic', 'elastic',
  'elegant', 'epic', 'exciting', 'fervent', 'festive', 'focused', 'friendly', 'funny', 'gallant', 'gifted', 'goofy',
  'gracious', 'great', 'happy', 'hopeful', 'inspiring', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving', 'lucid',
  'magical', 'modest', 'musing', 'nervous', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic', 'peaceful', 'pensive',
  'practical', 'priceless', 'quirky', 'quizzical', 'relaxed', 'reverent', 'romantic', 'serene', 'sharp', 'silly', 'sleepy',
  'stoic', 'strange', 'sweet', 'tender', 'thirsty', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly',
  'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen'];
const RIGHT = ['agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell', 'bhabha',
  'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brown', 'carson', 'cerf', 'chandrasekhar', 'clarke',
  'curie', 'darwin', 'davinci', 'dijkstra', 'driscoll', 'einstein', 'elion', 'euclid', 'euler', 'faraday', 'fermat',
  'fermi', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg',
  'hodgkin', 'hopper', 'hypatia', 'jackson', 'jennings', 'johnson', 'kalam', 'kepler', 'knuth', 'lamarr', 'leakey',
  'lovelace', 'lumiere', 'margulis', 'mayer', 'mccarthy', 'meitner', 'mendel', 'mirzakhani', 'morse', 'napier', 'newton',
  'nobel', 'noether', 'pascal', 'pasteur', 'perlman', 'pike', 'poincare', 'ptolemy', 'ramanujan', 'ritchie', 'sammet',
  'shannon', 'shockley', 'sinoussi', 'stallman', 'swartz', 'tesla', 'thompson', 'torvalds', 'turing', 'wescoff', 'wiles',
  'williams', 'wilson', 'wozniak', 'wright', 'yalow', 'yonath'];

export function randomName(retry = 0): string {
  const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)];
  let name = `${pick(LEFT)}_${pick(RIGHT)}`;
  if (retry > 0) name += String(Math.floor(Math.random() * 10));
  return name;
}

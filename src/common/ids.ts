import { randomBytes } from 'node:crypto'

/** 64 hex characters, like Docker's container and exec ids. */
export function newId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex')
    // Docker avoids ids that are all digits in the short form: they read as numbers in shell scripts.
    if (!/^\d{12}/.test(id)) return id
  }
}

export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id
  return hex.slice(0, 12)
}

// A subset of moby's pkg/namesgenerator lists, so generated names look like Docker's.
const adjectives = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful',
  'bold', 'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending',
  'confident', 'cool', 'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic',
  'elastic', 'elated', 'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused',
  'friendly', 'frosty', 'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore',
  'heuristic', 'hopeful', 'hungry', 'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial',
  'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty',
  'nervous', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive',
  'practical', 'priceless', 'quirky', 'quizzical', 'recursing', 'relaxed', 'reverent', 'romantic', 'sad',
  'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'stupefied', 'suspicious', 'sweet', 'tender',
  'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful',
  'xenodochial', 'youthful', 'zealous', 'zen',
]
const surnames = [
  'agnesi', 'albattani', 'allen', 'almeida', 'archimedes', 'ardinghelli', 'aryabhata', 'austin', 'babbage',
  'banach', 'bardeen', 'bartik', 'bassi', 'bell', 'bhabha', 'blackburn', 'bohr', 'booth', 'borg', 'bose',
  'brahmagupta', 'brattain', 'brown', 'burnell', 'cannon', 'carson', 'cartwright', 'cerf', 'chandrasekhar',
  'chatelet', 'clarke', 'cohen', 'colden', 'cori', 'cray', 'curie', 'darwin', 'davinci', 'dijkstra', 'dubinsky',
  'easley', 'edison', 'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi',
  'feynman', 'franklin', 'gagarin', 'galileo', 'gates', 'gauss', 'germain', 'goldberg', 'goldstine', 'goodall',
  'hamilton', 'hawking', 'heisenberg', 'hermann', 'hodgkin', 'hofstadter', 'hopper', 'hypatia', 'jackson',
  'jang', 'jemison', 'jennings', 'johnson', 'joliot', 'kalam', 'kepler', 'khorana', 'kilby', 'knuth',
  'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey', 'leavitt', 'lederberg', 'lehmann', 'lewin',
  'liskov', 'lovelace', 'lumiere', 'mahavira', 'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy',
  'mcclintock', 'meitner', 'mendel', 'merkle', 'minsky', 'mirzakhani', 'moore', 'morse', 'napier', 'nash',
  'neumann', 'newton', 'nobel', 'noether', 'northcutt', 'noyce', 'panini', 'pare', 'pascal', 'pasteur',
  'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride', 'ritchie', 'rosalind',
  'roentgen', 'sammet', 'shamir', 'shannon', 'shaw', 'shockley', 'sinoussi', 'snyder', 'spence', 'stonebraker',
  'sutherland', 'swanson', 'swartz', 'tesla', 'thompson', 'torvalds', 'turing', 'varahamihira', 'visvesvaraya',
  'volhard', 'wescoff', 'wilbur', 'wiles', 'williams', 'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow',
  'yonath', 'zhukovsky',
]

/** Docker-style generated name such as "focused_turing". `retry` > 0 appends a digit, as moby does. */
export function generateName(retry = 0, random: () => number = Math.random): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
  const name = `${pick(adjectives)}_${pick(surnames)}`
  if (name === 'boring_wozniak') return generateName(retry, random) // Steve Wozniak is not boring (moby)
  return retry > 0 ? `${name}${Math.floor(random() * 10)}` : name
}

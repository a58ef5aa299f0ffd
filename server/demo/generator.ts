/**
 * Demo data for the Contoso tenant: users in every situation of SPEC §3 and meetings in every shape the
 * migration has to handle. Pure and deterministic: everything comes from a seeded generator and the given
 * `now`, so the same seed and `now` give the same data on every run and machine.
 */
import { meetingCoordinates, schedulingMeetingType } from '../domain/coordinates.ts';
import { appendBlock, type BlockCoordinates, renderBlock } from '../domain/meeting-block.ts';
import {
  type Attendee,
  type AudioConferencing,
  type Bridge,
  type BridgeNumber,
  type ContentItem,
  DEFAULT_TENANT_SETTINGS,
  type MailboxLocation,
  NO_AUDIO_CONFERENCING,
  type SkypeHosting,
  type TeamsUpgradeMode,
  type Tenant,
  type User,
} from '../domain/model.ts';
import { lastOccurrenceEnd, recurrenceRule } from '../domain/recurrence.ts';
import { wallClock, wallClockToUtc } from '../domain/zoned-time.ts';
import type { BulkMeeting } from '../storage/bulk.ts';

/* ------------------------------------------------------------------------------------------------ */
/* Seeded random numbers                                                                             */
/* ------------------------------------------------------------------------------------------------ */

export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of the values, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T;
  /** Lowercase hexadecimal digits. */
  hex(length: number): string;
}

/**
 * sfc32 (128 bits of state) seeded through splitmix32. Each key list names an independent stream, so one
 * organizer's meetings do not depend on how many meetings other organizers got.
 */
export function createRandom(...keys: number[]): Random {
  let mixer = 0x2545f491;
  const splitmix = (): number => {
    mixer = (mixer + 0x9e3779b9) | 0;
    let z = mixer;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  for (const key of keys) {
    // Both halves of a key up to 2^53, so large seeds stay distinct.
    mixer ^= key | 0;
    splitmix();
    mixer ^= Math.floor(key / 0x1_0000_0000) | 0;
    splitmix();
  }
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();

  const next = (): number => next32() / 0x1_0000_0000;
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('cannot pick from an empty list');
      return item;
    },
    weighted<T>(choices: readonly (readonly [T, number])[]): T {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
      let point = next() * total;
      for (const [value, weight] of choices) {
        point -= weight;
        if (point < 0) return value;
      }
      const last = choices.at(-1);
      if (last === undefined) throw new Error('cannot choose from no choices');
      return last[0];
    },
    hex(length) {
      let out = '';
      while (out.length < length) out += next32().toString(16).padStart(8, '0');
      return out.slice(0, length);
    },
  };
}

/** Stream keys: users and meetings draw from separate streams of the same seed. */
const USER_STREAM = 1;
const MEETING_STREAM = 2;

/* ------------------------------------------------------------------------------------------------ */
/* Tenant and bridges                                                                                */
/* ------------------------------------------------------------------------------------------------ */

export const DEMO_DOMAIN = 'contoso.com';

export const DEMO_TENANT: Omit<Tenant, 'id' | 'createdAt'> = {
  name: 'Contoso',
  primaryDomain: DEMO_DOMAIN,
  meetingUrl: 'https://meet.contoso.com',
  teamsUpgradeMode: 'ISLANDS',
  ...DEFAULT_TENANT_SETTINGS,
};

export type Region = 'AMERICAS' | 'EMEA' | 'APAC';

export type DemoBridgeNumber = Omit<BridgeNumber, 'id' | 'tenantId' | 'bridgeId'>;

export interface DemoBridge {
  name: string;
  region: Region;
  isDefault: boolean;
  numbers: DemoBridgeNumber[];
}

const number = (
  e164: string,
  city: string,
  country: string,
  language: string,
  tollFree = false,
): DemoBridgeNumber => ({ number: e164, tollFree, city, country, language });

/** Numbers from ranges set aside for fiction where a country has one (555-01xx, Ofcom's drama ranges). */
export const DEMO_BRIDGES: readonly DemoBridge[] = [
  {
    name: 'Contoso Americas',
    region: 'AMERICAS',
    isDefault: true,
    numbers: [
      number('+14255550100', 'Redmond', 'US', 'en-US'),
      number('+12125550142', 'New York', 'US', 'en-US'),
      number('+18665550123', 'United States', 'US', 'en-US', true),
      number('+14165550199', 'Toronto', 'CA', 'en-CA'),
      number('+15145550111', 'Montréal', 'CA', 'fr-CA'),
      number('+551130030100', 'São Paulo', 'BR', 'pt-BR'),
      number('+528005550100', 'México', 'MX', 'es-MX', true),
    ],
  },
  {
    name: 'Contoso EMEA',
    region: 'EMEA',
    isDefault: false,
    numbers: [
      number('+442079460018', 'London', 'GB', 'en-GB'),
      number('+448081570192', 'United Kingdom', 'GB', 'en-GB', true),
      number('+493090182000', 'Berlin', 'DE', 'de-DE'),
      number('+498005550100', 'Deutschland', 'DE', 'de-DE', true),
      number('+33199001234', 'Paris', 'FR', 'fr-FR'),
      number('+41445550100', 'Zürich', 'CH', 'de-CH'),
      number('+97143000100', 'Dubai', 'AE', 'ar-AE'),
    ],
  },
  {
    name: 'Contoso Asia Pacific',
    region: 'APAC',
    isDefault: false,
    numbers: [
      number('+81345550100', 'Tokyo', 'JP', 'ja-JP'),
      number('+81120555010', 'Japan', 'JP', 'ja-JP', true),
      number('+61255501234', 'Sydney', 'AU', 'en-AU'),
      number('+611800160401', 'Australia', 'AU', 'en-AU', true),
      number('+912261234567', 'Mumbai', 'IN', 'hi-IN'),
      number('+6531234567', 'Singapore', 'SG', 'en-SG'),
    ],
  },
];

/** A stored bridge with its stored numbers, as the generator needs them to give users dial-in. */
export interface BridgeWithNumbers {
  region: Region;
  bridge: Bridge;
  numbers: BridgeNumber[];
}

/* ------------------------------------------------------------------------------------------------ */
/* People                                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/** [native, ASCII for the e-mail address, feminine?] */
type GivenName = readonly [string, string, boolean?];
/** [native, ASCII, feminine native, feminine ASCII] for languages whose family names agree in gender. */
type FamilyName = readonly [string, string, string?, string?];

interface NamePool {
  weight: number;
  given: readonly GivenName[];
  family: readonly FamilyName[];
  displayName: (given: string, family: string) => string;
  timeZones: readonly string[];
}

const westernOrder = (given: string, family: string) => `${given} ${family}`;

const NAME_POOLS: readonly NamePool[] = [
  {
    // Latin script with diacritics; "Renée" is spelled with a combining acute accent on purpose.
    weight: 30,
    given: [
      ['José', 'jose'],
      ['Zoë', 'zoe', true],
      ['François', 'francois'],
      ['Łukasz', 'lukasz'],
      ['Søren', 'soren'],
      ['Chloé', 'chloe', true],
      ['Jürgen', 'jurgen'],
      ['Małgorzata', 'malgorzata', true],
      ['João', 'joao'],
      ['Siobhán', 'siobhan', true],
      ['Rene\u0301e', 'renee', true],
      ['Bjørn', 'bjorn'],
      ['Emily', 'emily', true],
      ['Michael', 'michael'],
      ['Aoife', 'aoife', true],
      ['Mateo', 'mateo'],
      ['Inès', 'ines', true],
      ['Ægir', 'aegir'],
    ],
    family: [
      ['García', 'garcia'],
      ['Müller', 'muller'],
      ['Lefèvre', 'lefevre'],
      ['Wiśniewski', 'wisniewski'],
      ['Kierkegård', 'kierkegard'],
      ['Ångström', 'angstrom'],
      ['Núñez', 'nunez'],
      ['Dvořák', 'dvorak'],
      ['Gonçalves', 'goncalves'],
      ['Østergaard', 'ostergaard'],
      ['Brontë', 'bronte'],
      ['Weiß', 'weiss'],
      ['Smith', 'smith'],
      ['O’Connor', 'oconnor'],
      ['Nowak', 'nowak'],
      ['Fernández', 'fernandez'],
    ],
    displayName: westernOrder,
    timeZones: [
      'America/Los_Angeles',
      'America/Chicago',
      'America/New_York',
      'America/Toronto',
      'America/Sao_Paulo',
      'America/Mexico_City',
      'Europe/London',
      'Europe/Paris',
      'Europe/Berlin',
      'Europe/Zurich',
      'Europe/Warsaw',
    ],
  },
  {
    weight: 4,
    given: [
      ['İbrahim', 'ibrahim'],
      ['Şule', 'sule', true],
      ['Gökhan', 'gokhan'],
      ['Çağla', 'cagla', true],
      ['Ayşe', 'ayse', true],
    ],
    family: [
      ['Yılmaz', 'yilmaz'],
      ['Çelik', 'celik'],
      ['Öztürk', 'ozturk'],
      ['Şahin', 'sahin'],
    ],
    displayName: westernOrder,
    timeZones: ['Europe/Istanbul'],
  },
  {
    // Vietnamese in decomposed form: base letters followed by combining marks.
    weight: 4,
    given: [
      ['Lan', 'lan', true],
      ['Minh', 'minh'],
      ['Hương', 'huong', true],
      ['Đức', 'duc'],
      ['Thảo', 'thao', true],
      ['Quốc Bảo', 'quocbao'],
    ],
    family: [
      ['Nguyễn', 'nguyen'],
      ['Trần', 'tran'],
      ['Lê', 'le'],
      ['Phạm', 'pham'],
      ['Đặng', 'dang'],
    ],
    displayName: (given, family) => `${family} ${given}`.normalize('NFD'),
    timeZones: ['Asia/Ho_Chi_Minh'],
  },
  {
    weight: 8,
    given: [
      ['Дмитрий', 'dmitry'],
      ['Ольга', 'olga', true],
      ['Анна', 'anna', true],
      ['Сергей', 'sergey'],
      ['Наталья', 'natalya', true],
      ['Алексей', 'alexey'],
      ['Юлия', 'yulia', true],
      ['Олександр', 'oleksandr'],
    ],
    family: [
      ['Иванов', 'ivanov', 'Иванова', 'ivanova'],
      ['Смирнов', 'smirnov', 'Смирнова', 'smirnova'],
      ['Кузнецов', 'kuznetsov', 'Кузнецова', 'kuznetsova'],
      ['Соколов', 'sokolov', 'Соколова', 'sokolova'],
      ['Шевченко', 'shevchenko'],
      ['Ковальчук', 'kovalchuk'],
    ],
    displayName: westernOrder,
    timeZones: ['Europe/Moscow', 'Europe/Berlin'],
  },
  {
    weight: 5,
    given: [
      ['Γιώργος', 'giorgos'],
      ['Μαρία', 'maria', true],
      ['Ελένη', 'eleni', true],
      ['Νίκος', 'nikos'],
      ['Κατερίνα', 'katerina', true],
      ['Δημήτρης', 'dimitris'],
    ],
    family: [
      ['Παπαδόπουλος', 'papadopoulos', 'Παπαδοπούλου', 'papadopoulou'],
      ['Οικονόμου', 'oikonomou'],
      ['Γεωργίου', 'georgiou'],
      ['Νικολάου', 'nikolaou'],
      ['Βλάχος', 'vlachos', 'Βλάχου', 'vlachou'],
    ],
    displayName: westernOrder,
    timeZones: ['Europe/Athens'],
  },
  {
    weight: 8,
    given: [
      ['محمد', 'mohammed'],
      ['فاطمة', 'fatima', true],
      ['أحمد', 'ahmed'],
      ['ليلى', 'layla', true],
      ['عمر', 'omar'],
      ['نور', 'nour', true],
      ['يوسف', 'youssef'],
      ['مريم', 'mariam', true],
    ],
    family: [
      ['العلي', 'alali'],
      ['الحسن', 'alhassan'],
      ['منصور', 'mansour'],
      ['حداد', 'haddad'],
      ['الخطيب', 'alkhatib'],
      ['عبد الله', 'abdullah'],
    ],
    displayName: westernOrder,
    timeZones: ['Asia/Dubai', 'Asia/Riyadh', 'Africa/Cairo'],
  },
  {
    weight: 5,
    given: [
      ['נועה', 'noa', true],
      ['דוד', 'david'],
      ['יעל', 'yael', true],
      ['אורי', 'uri'],
      ['תמר', 'tamar', true],
      ['איתן', 'eitan'],
    ],
    family: [
      ['כהן', 'cohen'],
      ['לוי', 'levi'],
      ['מזרחי', 'mizrahi'],
      ['פרץ', 'peretz'],
      ['ביטון', 'biton'],
    ],
    displayName: westernOrder,
    timeZones: ['Asia/Jerusalem'],
  },
  {
    weight: 10,
    given: [
      ['芳', 'fang', true],
      ['伟', 'wei'],
      ['秀英', 'xiuying', true],
      ['静', 'jing', true],
      ['磊', 'lei'],
      ['子涵', 'zihan'],
      ['浩然', 'haoran'],
    ],
    family: [
      ['王', 'wang'],
      ['李', 'li'],
      ['张', 'zhang'],
      ['刘', 'liu'],
      ['陈', 'chen'],
      ['欧阳', 'ouyang'],
    ],
    displayName: (given, family) => `${family}${given}`,
    timeZones: ['Asia/Shanghai', 'Asia/Singapore'],
  },
  {
    weight: 8,
    given: [
      ['健', 'ken'],
      ['さくら', 'sakura', true],
      ['陽翔', 'haruto'],
      ['結衣', 'yui', true],
      ['蓮', 'ren'],
      ['美咲', 'misaki', true],
    ],
    family: [
      ['佐藤', 'sato'],
      ['鈴木', 'suzuki'],
      ['高橋', 'takahashi'],
      ['田中', 'tanaka'],
      ['渡辺', 'watanabe'],
      ['伊藤', 'ito'],
    ],
    displayName: (given, family) => `${family} ${given}`,
    timeZones: ['Asia/Tokyo'],
  },
  {
    weight: 5,
    given: [
      ['민준', 'minjun'],
      ['서연', 'seoyeon', true],
      ['지호', 'jiho'],
      ['하은', 'haeun', true],
      ['도윤', 'doyun'],
    ],
    family: [
      ['김', 'kim'],
      ['이', 'lee'],
      ['박', 'park'],
      ['최', 'choi'],
      ['정', 'jung'],
    ],
    displayName: (given, family) => `${family}${given}`,
    timeZones: ['Asia/Seoul'],
  },
  {
    weight: 8,
    given: [
      ['अनन्या', 'ananya', true],
      ['आरव', 'aarav'],
      ['प्रिया', 'priya', true],
      ['विवेक', 'vivek'],
      ['दीपिका', 'deepika', true],
      ['राहुल', 'rahul'],
    ],
    family: [
      ['शर्मा', 'sharma'],
      ['वर्मा', 'verma'],
      ['गुप्ता', 'gupta'],
      ['पटेल', 'patel'],
      ['जोशी', 'joshi'],
      ['सिंह', 'singh'],
    ],
    displayName: westernOrder,
    timeZones: ['Asia/Kolkata', 'Asia/Kathmandu'],
  },
  {
    weight: 5,
    given: [
      ['สมชาย', 'somchai'],
      ['สุดารัตน์', 'sudarat', true],
      ['ณัฐพล', 'nattapon'],
      ['กมลวรรณ', 'kamonwan', true],
      ['ธนากร', 'thanakorn'],
    ],
    family: [
      ['ใจดี', 'jaidee'],
      ['ศรีสุข', 'srisuk'],
      ['วงศ์สวัสดิ์', 'wongsawat'],
      ['สุขสมบูรณ์', 'suksomboon'],
    ],
    displayName: westernOrder,
    timeZones: ['Asia/Bangkok'],
  },
];

const NAME_POOL_CHOICES = NAME_POOLS.map((pool) => [pool, pool.weight] as const);

function regionOf(timeZone: string): Region {
  if (timeZone.startsWith('America/')) return 'AMERICAS';
  if (timeZone.startsWith('Europe/') || timeZone.startsWith('Africa/')) return 'EMEA';
  if (['Asia/Dubai', 'Asia/Riyadh', 'Asia/Jerusalem'].includes(timeZone)) return 'EMEA';
  return 'APAC';
}

interface Person {
  displayName: string;
  givenAscii: string;
  familyAscii: string;
  timeZone: string;
}

function randomPerson(rng: Random): Person {
  const pool = rng.weighted(NAME_POOL_CHOICES);
  const [given, givenAscii, feminine] = rng.pick(pool.given);
  const [family, familyAscii, feminineFamily, feminineFamilyAscii] = rng.pick(pool.family);
  const zone = rng.pick(pool.timeZones);
  return {
    displayName: pool.displayName(given, feminine && feminineFamily ? feminineFamily : family),
    givenAscii,
    familyAscii: feminine && feminineFamilyAscii ? feminineFamilyAscii : familyAscii,
    timeZone: zone,
  };
}

/* ------------------------------------------------------------------------------------------------ */
/* Users                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

type AudioProfile = 'DIAL_IN' | 'LICENSED_WITHOUT_DIAL_IN' | 'THIRD_PARTY' | 'UNLICENSED';

interface UserProfile {
  skypeHosting: SkypeHosting;
  teamsUpgradeMode: TeamsUpgradeMode;
  mailboxLocation: MailboxLocation;
  audio: AudioProfile;
}

/**
 * The first users cover every row of SPEC §3 whatever the demo size, starting with ones a migration
 * can run for; the rest are drawn at random.
 */
const SHOWCASE_USERS: readonly UserProfile[] = [
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'ISLANDS',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'DIAL_IN',
  },
  {
    skypeHosting: 'ON_PREMISES',
    teamsUpgradeMode: 'SFB_WITH_TEAMS_COLLAB',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'DIAL_IN',
  },
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'TEAMS_ONLY',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'DIAL_IN',
  },
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'UNLICENSED',
  },
  {
    skypeHosting: 'ON_PREMISES',
    teamsUpgradeMode: 'ISLANDS',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'THIRD_PARTY',
  },
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'ISLANDS',
    mailboxLocation: 'EXCHANGE_ON_PREMISES',
    audio: 'DIAL_IN',
  },
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'TEAMS_ONLY',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'LICENSED_WITHOUT_DIAL_IN',
  },
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'TEAMS_ONLY',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'THIRD_PARTY',
  },
  {
    skypeHosting: 'ONLINE',
    teamsUpgradeMode: 'SFB_WITH_TEAMS_COLLAB',
    mailboxLocation: 'EXCHANGE_ONLINE',
    audio: 'UNLICENSED',
  },
];

function randomProfile(rng: Random): UserProfile {
  const skypeHosting = rng.weighted<SkypeHosting>([
    ['ON_PREMISES', 30],
    ['ONLINE', 70],
  ]);
  // Users homed on-premises cannot schedule Teams meetings, so they stay in the Skype modes.
  const teamsUpgradeMode =
    skypeHosting === 'ON_PREMISES'
      ? rng.weighted<TeamsUpgradeMode>([
          ['ISLANDS', 60],
          ['SFB_WITH_TEAMS_COLLAB', 40],
        ])
      : rng.weighted<TeamsUpgradeMode>([
          ['ISLANDS', 25],
          ['SFB_WITH_TEAMS_COLLAB', 15],
          ['SFB_WITH_TEAMS_COLLAB_AND_MEETINGS', 15],
          ['TEAMS_ONLY', 45],
        ]);
  return {
    skypeHosting,
    teamsUpgradeMode,
    mailboxLocation: rng.chance(0.1) ? 'EXCHANGE_ON_PREMISES' : 'EXCHANGE_ONLINE',
    audio: rng.weighted<AudioProfile>([
      ['DIAL_IN', 55],
      ['LICENSED_WITHOUT_DIAL_IN', 10],
      ['THIRD_PARTY', 10],
      ['UNLICENSED', 25],
    ]),
  };
}

const THIRD_PARTY_PROVIDERS: readonly { name: string; text: (code: string) => string }[] = [
  {
    name: 'Fabrikam Conferencing',
    text: (code) => `Toll: +1 425 555 0177\nToll-free: +1 866 555 0188\nParticipant code: ${code}#`,
  },
  {
    name: 'Tailspin Audio',
    text: (code) => `Einwahl: +49 30 901820 55\nTeilnehmercode: ${code}#`,
  },
  {
    name: 'Northwind Voice',
    text: (code) => `ダイヤルイン: +81 3 4555 0123\n参加者コード: ${code}#`,
  },
];

/** A user to insert, with the home time zone their meetings are mostly scheduled in. */
export interface DemoUser {
  user: Omit<User, 'id' | 'createdAt'>;
  timeZone: string;
}

export function demoUsers(
  seed: number,
  count: number,
  tenantId: number,
  bridges: readonly BridgeWithNumbers[],
): DemoUser[] {
  const rng = createRandom(seed, USER_STREAM);
  const fallbackBridge = bridges.find((b) => b.bridge.isDefault) ?? bridges[0];
  const conferenceIds = new Set<string>();
  const freshConferenceId = (): string => {
    let id = String(rng.int(1_000_000, 9_999_999));
    while (conferenceIds.has(id)) id = String(rng.int(1_000_000, 9_999_999));
    conferenceIds.add(id);
    return id;
  };

  const users: DemoUser[] = [];
  for (let i = 0; i < count; i++) {
    const person = randomPerson(rng);
    const profile = SHOWCASE_USERS[i] ?? randomProfile(rng);
    // The ordinal keeps addresses unique however often a name repeats.
    const userPrincipalName = `${person.givenAscii}.${person.familyAscii}.${i + 1}@${DEMO_DOMAIN}`;

    let audio: AudioConferencing = NO_AUDIO_CONFERENCING;
    if (profile.audio === 'THIRD_PARTY') {
      const provider = rng.pick(THIRD_PARTY_PROVIDERS);
      audio = {
        ...NO_AUDIO_CONFERENCING,
        provider: 'THIRD_PARTY',
        thirdPartyProviderName: provider.name,
        thirdPartyDialInText: provider.text(`${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`),
      };
    } else if (profile.audio !== 'UNLICENSED' && fallbackBridge) {
      const region = regionOf(person.timeZone);
      const home = bridges.find((b) => b.region === region) ?? fallbackBridge;
      const { bridge, numbers } = rng.chance(0.85) ? home : fallbackBridge;
      const toll = numbers.filter((n) => !n.tollFree);
      const tollFree = numbers.filter((n) => n.tollFree);
      audio = {
        provider: 'MICROSOFT',
        thirdPartyProviderName: null,
        thirdPartyDialInText: null,
        licensed: true,
        dialInEnabled: profile.audio === 'DIAL_IN',
        conferenceId: freshConferenceId(),
        bridgeId: bridge.id,
        defaultTollNumberId: toll.length > 0 ? rng.pick(toll).id : null,
        defaultTollFreeNumberId: tollFree.length > 0 ? rng.pick(tollFree).id : null,
      };
    }

    users.push({
      user: {
        tenantId,
        userPrincipalName,
        displayName: person.displayName,
        sipAddress: `sip:${userPrincipalName}`,
        skypeHosting: profile.skypeHosting,
        teamsUpgradeMode: profile.teamsUpgradeMode,
        mailboxLocation: profile.mailboxLocation,
        ...audio,
      },
      timeZone: person.timeZone,
    });
  }
  return users;
}

/** The default toll and toll-free numbers of a user in id order, as scheduleMeeting loads them. */
export function defaultNumbersOf(
  user: Pick<User, 'defaultTollNumberId' | 'defaultTollFreeNumberId'>,
  numbersById: ReadonlyMap<number, BridgeNumber>,
): BridgeNumber[] {
  return [user.defaultTollNumberId, user.defaultTollFreeNumberId]
    .filter((id) => id !== null)
    .map((id) => numbersById.get(id))
    .filter((n) => n !== undefined)
    .sort((a, b) => a.id - b.id);
}

/* ------------------------------------------------------------------------------------------------ */
/* Meeting text                                                                                      */
/* ------------------------------------------------------------------------------------------------ */

const SUBJECTS = [
  'Quarterly business review',
  'Weekly sync 🔄',
  'Projektbesprechung – Phase 2',
  'Revue de projet : étape 3',
  'Reunión de planificación 📅',
  'Планёрка отдела продаж',
  'Συνάντηση ομάδας',
  'اجتماع الفريق الأسبوعي',
  'ישיבת צוות שבועית',
  '第三季度路线图评审',
  '定例会議（営業部）',
  '주간 회의',
  'साप्ताहिक बैठक',
  'ประชุมประจำสัปดาห์',
  '1:1 José ↔ Zoë',
  'All hands 🎉',
  'Design review 👩🏽‍🎨',
  'Budget FY27 💶',
  'Incident retro 🔥🧯',
  'Customer call: Fabrikam',
  'Onboarding 👋🏿',
  'Migration cut-over: Skype → Teams',
  'Café & croissants ☕🥐',
];

const PARAGRAPHS = [
  "Hi everyone,\n\nLet's go through the Q3 roadmap and agree on owners.\nAgenda:\n- Status\n- Risks  \n- Next steps",
  'Hallo zusammen,\nbitte bringt eure Zahlen für das Quartal mit. Grüße aus München! 🥨',
  'Bonjour à tous,\nordre du jour : révision du budget, état des lieux, questions diverses.\nÀ bientôt !',
  '¿Podemos revisar el presupuesto antes del viernes? ¡Gracias! 🙌🏽',
  'Cześć! Omówimy harmonogram wdrożenia. Zażółć gęślą jaźń.',
  'Merhaba ekip, İstanbul ofisi için ışık ve ısıtma planını konuşacağız.',
  'Xin chào mọi người, chúng ta sẽ thảo luận kế hoạch quý tới.'.normalize('NFD'),
  'Коллеги, добрый день!\nОбсудим план на квартал и сроки миграции «Skype → Teams».',
  'Καλημέρα σε όλους! Θα συζητήσουμε τον προϋπολογισμό του τριμήνου.',
  '大家好，\n我们将讨论第三季度的路线图。请提前阅读附件。🙏',
  'お疲れ様です。\n来週の定例会議の議題を共有します。よろしくお願いします。',
  '안녕하세요, 분기 계획을 검토하겠습니다. 감사합니다!',
  'नमस्ते सभी को,\nहम तिमाही योजना पर चर्चा करेंगे। कृपया समय पर जुड़ें।',
  'สวัสดีครับทุกท่าน\nเราจะประชุมเรื่องแผนงานไตรมาสหน้า',
  'Cafe\u0301 ☕ and cre\u0300me bru\u0302le\u0301e after the demo. Z\u0351\u0364a\u0310l\u0352g\u0346o\u0315 stays as typed.',
  'Notes: "quotes", commas, semicolons; a backslash \\ and a\ttab.\n<b>Not HTML</b> & friends.',
];

/** Right-to-left text, alone and mixed with left-to-right words and digits. */
const RTL_PARAGRAPHS = [
  'مرحبا بالجميع،\nسنناقش خطة الربع القادم في القاعة 4 (Building 7) الساعة 10:30.',
  'שלום לכולם,\nנדון בתקציב הרבעון ובלוחות הזמנים של Teams.',
  'Meeting with شركة النور (Al-Nour) and חברת אלפא — English, العربية, עברית on one line.\u200f',
];

/** Emoji with ZWJ sequences, skin tones, flags and keycaps: many code units per visible character. */
const EMOJI_PARAGRAPHS = [
  'Team offsite 🎉🏖️ — bring your ideas! 👩‍💻👨🏾‍🚀👩🏻‍🔬 🏳️‍🌈 👨‍👩‍👧‍👦',
  'Great work everyone 👍🏿👋🏼🙏🏽 🇯🇵🇩🇪🇧🇷🇮🇳 1️⃣2️⃣3️⃣ ❤️‍🔥',
];

const SIGNATURES = [
  '--\nJürgen Müller | Contoso GmbH\n📞 +49 30 901820',
  '______________________________\nSent from Outlook for iOS',
  'Best regards,\nThe Contoso PMO team 🗂️',
  '\u2014\u00a0محمد العلي',
];

const PASTE_INTROS = [
  'Same link as last time:',
  'Dial-in details copied from the original invite:',
  'Bitte diesen Link verwenden:',
  'استخدموا نفس الرابط:',
  '请使用以下会议链接：',
];

const NO_BLOCK_INTROS = [
  'In person only, no dial-in this time.',
  'Réunion en présentiel, salle habituelle.',
  'Встречаемся в переговорной, без подключения.',
  '対面のみで開催します。',
];

const ROOMS = [
  'Building 7 / Room 1234',
  'Conf Room Rainier',
  'Salle Mont-Blanc',
  'Raum Zugspitze (3. OG)',
  'Переговорная «Байкал»',
  'Αίθουσα Όλυμπος',
  'قاعة الاجتماعات 2',
  'חדר ישיבות ירושלים',
  '会議室 A-3',
  '会议室 长城',
  '회의실 한라산',
  'सम्मेलन कक्ष 2',
  'ห้องประชุม 5',
];

const CONTENT_TITLES: Record<ContentItem['kind'], readonly string[]> = {
  WHITEBOARD: ['Brainstorm 🧠', 'Tableau blanc – idées', 'Доска идей', 'ホワイトボード'],
  POLL: ['Which date works? 📅', 'Umfrage: Teamevent', 'استطلاع: موعد الاجتماع'],
  ATTACHMENT: [
    'Q3 roadmap.pptx',
    'Budget FY27.xlsx',
    'Протокол встречи.docx',
    '議事録.docx',
    'Präsentation – Entwurf.pdf',
  ],
};

const EXTERNAL_DOMAINS = [
  'fabrikam.com',
  'northwindtraders.com',
  'adatum.com',
  'tailspintoys.com',
  'wingtiptoys.com',
  'litwareinc.com',
  'example.org',
  'example.co.jp',
  'mail.example.de',
];

/* ------------------------------------------------------------------------------------------------ */
/* Meetings                                                                                          */
/* ------------------------------------------------------------------------------------------------ */

export type DemoMeeting = BulkMeeting;

/** A stored user with what their meetings need: home time zone and default dial-in numbers. */
export interface DemoOrganizer {
  user: User;
  timeZone: string;
  numbers: BridgeNumber[];
}

export interface MeetingContext {
  seed: number;
  now: Date;
  tenant: Pick<Tenant, 'id' | 'meetingUrl' | 'primaryDomain'>;
  /** Every user of the tenant, in creation order: organizers and internal attendees. */
  organizers: readonly DemoOrganizer[];
}

/**
 * ADD_IN: scheduled by the add-in (block and properties), and edited since: WITH_OTHER_BLOCK, another meeting's
 * block pasted below; FORWARDED, a forwarded copy of its own block below; BLOCK_DELETED, the block deleted.
 * PASTED: a block without properties; NONE: no block.
 */
type BodyKind = 'ADD_IN' | 'WITH_OTHER_BLOCK' | 'FORWARDED' | 'BLOCK_DELETED' | 'PASTED' | 'NONE';
type Schedule = 'PAST' | 'FUTURE' | 'COUNT' | 'UNTIL' | 'ENDLESS';
type TextKind = 'MIXED' | 'RTL_AND_EMOJI' | 'EMPTY';

interface MeetingTraits {
  body: BodyKind;
  schedule: Schedule;
  overLimit: boolean;
  crlf: boolean;
  text: TextKind;
  extras: boolean;
}

const ORDINARY: MeetingTraits = {
  body: 'ADD_IN',
  schedule: 'FUTURE',
  overLimit: false,
  crlf: false,
  text: 'MIXED',
  extras: false,
};

/** The first meetings of the tenant show every case whatever the demo size; the rest are drawn at random. */
const SHOWCASE_MEETINGS: readonly MeetingTraits[] = [
  { ...ORDINARY, text: 'RTL_AND_EMOJI' },
  { ...ORDINARY, schedule: 'ENDLESS' },
  { ...ORDINARY, body: 'PASTED' },
  { ...ORDINARY, overLimit: true },
  { ...ORDINARY, body: 'WITH_OTHER_BLOCK' },
  { ...ORDINARY, body: 'FORWARDED', crlf: true },
  { ...ORDINARY, body: 'BLOCK_DELETED' },
  { ...ORDINARY, crlf: true },
  { ...ORDINARY, body: 'NONE' },
  { ...ORDINARY, schedule: 'PAST' },
  { ...ORDINARY, schedule: 'COUNT' },
  { ...ORDINARY, schedule: 'UNTIL' },
  { ...ORDINARY, extras: true },
  { ...ORDINARY, text: 'EMPTY' },
];

function randomTraits(rng: Random): MeetingTraits {
  const text = rng.weighted<TextKind>([
    ['MIXED', 86],
    ['RTL_AND_EMOJI', 10],
    ['EMPTY', 4],
  ]);
  return {
    body: rng.weighted<BodyKind>([
      ['ADD_IN', 87],
      ['WITH_OTHER_BLOCK', 1],
      ['FORWARDED', 1],
      ['BLOCK_DELETED', 1],
      ['PASTED', 5],
      ['NONE', 5],
    ]),
    schedule: rng.weighted<Schedule>([
      ['PAST', 28],
      ['FUTURE', 47],
      ['COUNT', 9],
      ['UNTIL', 8],
      ['ENDLESS', 8],
    ]),
    overLimit: rng.chance(0.02),
    crlf: text !== 'EMPTY' && rng.chance(0.12),
    text,
    extras: rng.chance(0.15),
  };
}

/**
 * The meetings one organizer has in their calendar. `ordinal` numbers the tenant's meetings from 0: it
 * picks the showcase meetings and keeps UIDs unique.
 */
export function demoMeetings(
  context: MeetingContext,
  organizerIndex: number,
  count: number,
  firstOrdinal: number,
): DemoMeeting[] {
  const organizer = context.organizers[organizerIndex];
  if (!organizer) throw new Error(`no organizer at index ${organizerIndex}`);
  const rng = createRandom(context.seed, MEETING_STREAM, organizerIndex);
  const meetings: DemoMeeting[] = [];
  for (let i = 0; i < count; i++) {
    const ordinal = firstOrdinal + i;
    const traits = SHOWCASE_MEETINGS[ordinal] ?? randomTraits(rng);
    meetings.push(demoMeeting(context, organizer, organizerIndex, traits, ordinal, rng));
  }
  return meetings;
}

function demoMeeting(
  context: MeetingContext,
  organizer: DemoOrganizer,
  organizerIndex: number,
  traits: MeetingTraits,
  ordinal: number,
  rng: Random,
): DemoMeeting {
  const { tenant } = context;
  const domain = tenant.primaryDomain;
  const uid = `${rng.hex(22)}${ordinal.toString(16).padStart(10, '0')}@${domain}`;
  // Mostly the organizer's own zone; sometimes a colleague's, for meetings across regions.
  const timeZone = rng.chance(0.8) ? organizer.timeZone : rng.pick(context.organizers).timeZone;
  const { startsAt, endsAt, recurrence } = schedule(rng, traits.schedule, context.now, timeZone);
  const eol = traits.crlf ? '\r\n' : '\n';

  let body: string;
  let location: string | null;
  let onlineMeeting: DemoMeeting['onlineMeeting'] = null;
  if (traits.body !== 'PASTED' && traits.body !== 'NONE') {
    const type = schedulingMeetingType(organizer.user);
    const coordinates = meetingCoordinates({
      tenant,
      user: organizer.user,
      numbers: organizer.numbers,
      type,
      meetingUid: uid,
    });
    const text = organizerText(rng, traits.text, eol);
    body = editedByOrganizer(traits.body, appendBlock(text, coordinates), text, eol, () =>
      renderBlock(pastedCoordinates(rng, context, organizer), eol),
    );
    onlineMeeting = {
      type,
      joinUrl: coordinates.joinUrl,
      conferenceId: coordinates.dialIn?.conferenceId ?? null,
    };
    const online = type === 'TEAMS' ? 'Microsoft Teams Meeting' : 'Skype Meeting';
    location = rng.weighted<string | null>([
      [online, 70],
      [`${rng.pick(ROOMS)}; ${online}`, 15],
      [null, 15],
    ]);
  } else if (traits.body === 'PASTED') {
    // Copied by hand from another meeting (often someone else's): the text of a block, no add-in properties.
    const coordinates = pastedCoordinates(rng, context, organizer);
    const after = rng.chance(0.5) ? eol + lineEndings(rng.pick(PARAGRAPHS), eol) : '';
    const before = lineEndings(`${organizerText(rng, 'MIXED', '\n')}\n\n${rng.pick(PASTE_INTROS)}`, eol);
    body = `${before}${eol}${renderBlock(coordinates, eol)}${after}`;
    location = rng.chance(0.5) ? rng.pick(ROOMS) : null;
  } else {
    body = lineEndings(`${rng.pick(NO_BLOCK_INTROS)}\n\n${organizerText(rng, 'MIXED', '\n')}`, eol);
    location = rng.pick(ROOMS);
  }

  const alias = organizer.user.userPrincipalName.split('@')[0] ?? 'user';
  const uidHex = uid.slice(0, 32);
  return {
    tenantId: tenant.id,
    organizerId: organizer.user.id,
    uid,
    subject: rng.pick(SUBJECTS),
    startsAt,
    endsAt,
    timeZone,
    recurrence,
    lastOccurrenceEndsAt: lastOccurrenceEnd(startsAt, endsAt, timeZone, recurrence),
    location,
    body,
    sequence: rng.weighted([
      [0, 60],
      [1, 25],
      [2, 10],
      [3, 5],
    ]),
    sharedNotesUrl:
      traits.extras || rng.chance(0.05)
        ? `https://contoso-my.sharepoint.com/personal/${alias.replaceAll('.', '_')}_contoso_com/Documents/Meeting%20Notes/${uidHex}.one`
        : null,
    onlineMeeting,
    attendees: attendees(rng, context, organizerIndex, traits.overLimit),
    contentItems: traits.extras ? contentItems(rng, uidHex) : [],
  };
}

/** The coordinates of another meeting, often someone else's, whose block an organizer pasted. */
function pastedCoordinates(rng: Random, context: MeetingContext, organizer: DemoOrganizer): BlockCoordinates {
  const source = rng.chance(0.5) ? organizer : rng.pick(context.organizers);
  return meetingCoordinates({
    tenant: context.tenant,
    user: source.user,
    numbers: source.numbers,
    type: schedulingMeetingType(source.user),
    meetingUid: `${rng.hex(32)}@${context.tenant.primaryDomain}`,
  });
}

/** The add-in's body as the organizer left it after editing (SPEC §2, "Whose block it is"). */
function editedByOrganizer(
  kind: BodyKind,
  scheduled: string,
  organizerText: string,
  eol: '\n' | '\r\n',
  otherBlock: () => string,
): string {
  switch (kind) {
    case 'WITH_OTHER_BLOCK':
      return `${scheduled}${eol}Last week's link, for reference:${eol}${otherBlock()}`;
    case 'FORWARDED':
      return `${scheduled}${eol}---------- Forwarded message ----------${eol}${scheduled}`;
    case 'BLOCK_DELETED':
      return organizerText;
    default:
      return scheduled;
  }
}

function lineEndings(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text : text.replaceAll('\n', eol);
}

function organizerText(rng: Random, kind: TextKind, eol: '\n' | '\r\n'): string {
  if (kind === 'EMPTY') return '';
  const parts: string[] = [];
  if (kind === 'RTL_AND_EMOJI') {
    parts.push(rng.pick(RTL_PARAGRAPHS), rng.pick(EMOJI_PARAGRAPHS));
  } else {
    const count = rng.int(1, 3);
    for (let i = 0; i < count; i++) {
      const pool = rng.weighted([
        [PARAGRAPHS, 80],
        [RTL_PARAGRAPHS, 10],
        [EMOJI_PARAGRAPHS, 10],
      ] as const);
      parts.push(rng.pick(pool));
    }
  }
  if (rng.chance(0.4)) parts.push(rng.pick(SIGNATURES));
  // Some organizers end their text with a line break, some do not: appendBlock handles both.
  const text = parts.join('\n\n') + (rng.chance(0.5) ? '\n' : '');
  return lineEndings(text, eol);
}

function attendees(
  rng: Random,
  context: MeetingContext,
  organizerIndex: number,
  overLimit: boolean,
): Attendee[] {
  const total = overLimit ? rng.int(251, 300) : rng.int(2, 12);
  const colleagues = context.organizers;
  const seen = new Set<string>([colleagues[organizerIndex]?.user.userPrincipalName ?? '']);
  const list: Attendee[] = [];
  const internalShare = overLimit ? 0.5 : 0.7;
  for (let k = 0; k < total; k++) {
    if (colleagues.length > 1 && rng.chance(internalShare)) {
      const colleague = rng.pick(colleagues).user;
      if (!seen.has(colleague.userPrincipalName)) {
        seen.add(colleague.userPrincipalName);
        list.push({ email: colleague.userPrincipalName, name: colleague.displayName });
        continue;
      }
    }
    const person = randomPerson(rng);
    const domain = rng.pick(EXTERNAL_DOMAINS);
    let local = `${person.givenAscii}.${person.familyAscii}`;
    if (rng.chance(0.05)) local += '+events';
    // The position makes a repeated name unique within the meeting.
    if (seen.has(`${local}@${domain}`)) local += `.${k}`;
    seen.add(`${local}@${domain}`);
    const email = rng.chance(0.05) ? capitalized(local, domain) : `${local}@${domain}`;
    list.push({ email, name: rng.chance(0.25) ? null : person.displayName });
  }
  return list;
}

/** Some address books keep capitals: Jose.Garcia@Fabrikam.com. */
function capitalized(local: string, domain: string): string {
  const upperFirst = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  return `${local.split('.').map(upperFirst).join('.')}@${upperFirst(domain)}`;
}

function contentItems(rng: Random, uidHex: string): ContentItem[] {
  const items: ContentItem[] = [];
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(['WHITEBOARD', 'POLL', 'ATTACHMENT'] as const);
    const title = rng.pick(CONTENT_TITLES[kind]);
    const url =
      kind === 'WHITEBOARD'
        ? `https://whiteboard.office.com/me/whiteboards/${uidHex}${i}`
        : kind === 'POLL'
          ? `https://forms.office.com/r/${rng.hex(10)}`
          : `https://contoso.sharepoint.com/sites/Team/Shared%20Documents/${encodeURIComponent(title)}`;
    items.push({ kind, title, url });
  }
  return items;
}

/* ------------------------------------------------------------------------------------------------ */
/* Dates                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

const DAY_MS = 86_400_000;
const DURATIONS_MINUTES = [15, 30, 30, 45, 60, 60, 60, 90, 120];

function schedule(
  rng: Random,
  kind: Schedule,
  now: Date,
  timeZone: string,
): { startsAt: Date; endsAt: Date; recurrence: string | null } {
  // A single past meeting ends before today (local), a single future one starts after today: both stay
  // on their side of `now` whatever the hour.
  const dayOffset =
    kind === 'PAST' ? rng.int(-90, -1) : kind === 'FUTURE' ? rng.int(1, 180) : rng.int(-120, 30);
  const today = wallClock(now, timeZone);
  let day = Date.UTC(today.year, today.month - 1, today.day) + dayOffset * DAY_MS;
  const weekday = new Date(day).getUTCDay();
  // Working days only; past meetings move back to Friday so they stay in the past.
  if (weekday === 6) day += kind === 'PAST' ? -DAY_MS : 2 * DAY_MS;
  if (weekday === 0) day += kind === 'PAST' ? -2 * DAY_MS : DAY_MS;
  const date = new Date(day);
  const startsAt = zonedInstant(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    rng.int(7, 17),
    rng.pick([0, 0, 0, 15, 30, 30, 45]),
    timeZone,
  );
  const endsAt = new Date(startsAt.getTime() + rng.pick(DURATIONS_MINUTES) * 60_000);
  const rule = recurrenceFor(rng, kind, startsAt);
  // Stored as scheduleMeeting stores it: validated and normalised.
  return { startsAt, endsAt, recurrence: rule === null ? null : recurrenceRule('recurrence', rule) };
}

function recurrenceFor(rng: Random, kind: Schedule, startsAt: Date): string | null {
  const until = (days: number) =>
    `UNTIL=${new Date(startsAt.getTime() + days * DAY_MS)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')}`;
  switch (kind) {
    case 'COUNT':
      return rng.pick([
        `FREQ=WEEKLY;COUNT=${rng.int(4, 20)}`,
        `FREQ=DAILY;COUNT=${rng.int(3, 10)}`,
        `FREQ=WEEKLY;INTERVAL=2;COUNT=${rng.int(3, 12)}`,
        `FREQ=MONTHLY;COUNT=${rng.int(3, 12)}`,
      ]);
    case 'UNTIL':
      return rng.pick([
        `FREQ=WEEKLY;${until(7 * rng.int(4, 26))}`,
        `FREQ=WEEKLY;INTERVAL=2;${until(14 * rng.int(2, 12))}`,
        `FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;${until(7 * rng.int(2, 8))}`,
        `FREQ=MONTHLY;${until(30 * rng.int(3, 12))}`,
      ]);
    case 'ENDLESS':
      return rng.pick([
        'FREQ=WEEKLY',
        'FREQ=WEEKLY;INTERVAL=2',
        'FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR',
        'FREQ=MONTHLY',
      ]);
    default:
      return null;
  }
}

/** The instant at which the zone's clocks show this local time. */
function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  return wallClockToUtc({ year, month, day, hour, minute, second: 0 }, timeZone);
}

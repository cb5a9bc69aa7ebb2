// Common English given-name diminutives mapped to one canonical form, so that "Bob" and
// "Robert" compare as equal names. Deliberately small: the names marketing lists mostly
// hold; no npm package ships such a table with a licence and upkeep we could rely on.
const GROUPS: Record<string, string[]> = {
  alexander: ['alex', 'al', 'sandy', 'xander'],
  alexandra: ['alexa', 'lexi', 'sasha'],
  andrew: ['andy', 'drew'],
  anthony: ['tony'],
  benjamin: ['ben', 'benny', 'benji'],
  catherine: ['cathy', 'kate', 'katie', 'kathy', 'katherine', 'kathryn', 'cat'],
  charles: ['charlie', 'chuck', 'chas'],
  christina: ['chris', 'tina', 'christine', 'kristina'],
  christopher: ['chris', 'kit', 'topher'],
  daniel: ['dan', 'danny'],
  david: ['dave', 'davy'],
  deborah: ['deb', 'debbie', 'debra'],
  donald: ['don', 'donnie'],
  dorothy: ['dot', 'dottie'],
  edward: ['ed', 'eddie', 'ted', 'ned'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'eliza', 'betsy', 'elisabeth'],
  frederick: ['fred', 'freddie'],
  gregory: ['greg'],
  james: ['jim', 'jimmy', 'jamie'],
  jennifer: ['jen', 'jenny', 'jenn'],
  jessica: ['jess', 'jessie'],
  john: ['jack', 'johnny', 'jon'],
  jonathan: ['jon', 'johnny', 'nathan'],
  joseph: ['joe', 'joey'],
  joshua: ['josh'],
  katherine: ['kate', 'katie', 'kathy'],
  kenneth: ['ken', 'kenny'],
  lawrence: ['larry', 'laurence'],
  margaret: ['maggie', 'meg', 'peggy', 'marge', 'greta'],
  matthew: ['matt', 'matty'],
  michael: ['mike', 'mikey', 'mick', 'mickey'],
  nicholas: ['nick', 'nicky', 'nic'],
  patricia: ['pat', 'patty', 'trish', 'tricia'],
  patrick: ['pat', 'paddy'],
  peter: ['pete'],
  philip: ['phil', 'phillip'],
  rebecca: ['becky', 'becca'],
  richard: ['rick', 'ricky', 'dick', 'rich', 'richie'],
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert'],
  ronald: ['ron', 'ronnie'],
  samantha: ['sam', 'sammy'],
  samuel: ['sam', 'sammy'],
  stephen: ['steve', 'steven', 'stevie'],
  susan: ['sue', 'susie', 'suzanne'],
  thomas: ['tom', 'tommy'],
  timothy: ['tim', 'timmy'],
  victoria: ['vicky', 'vicki', 'tori'],
  william: ['will', 'bill', 'billy', 'willy', 'liam'],
  zachary: ['zach', 'zack'],
};

const CANONICAL = new Map<string, string>();
for (const [canonical, nicknames] of Object.entries(GROUPS)) {
  // A diminutive shared by two names (chris, sam, pat) keeps the first group's name: the
  // comparison stays symmetric, and the other fields decide whether it is the same person.
  for (const nickname of nicknames) if (!CANONICAL.has(nickname)) CANONICAL.set(nickname, canonical);
}

/** The canonical given name for a (lower-case, normalized) given name: "bob" -> "robert". */
export function canonicalGivenName(name: string): string {
  return CANONICAL.get(name) ?? name;
}

/** The diminutives the generator may use for a canonical name (tests and benches). */
export function nicknamesOf(canonical: string): readonly string[] {
  return GROUPS[canonical] ?? [];
}

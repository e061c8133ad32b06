"""Generate the synthetic tool catalog (`src/toolgym/data/catalog/*.json`) once; the output is committed.

Run: `python scripts/build_catalog.py [--out DIR] [--check-bfcl]`.

The catalog is composed from hand-written parts:
- POOLS: named value pools (cities, people, products, ...), some with surface forms;
- ROLES: parameter kinds with a JSON schema, a value sampler and phrase banks (inline phrases, context
  sentences, optional-parameter clauses);
- ACTIONS: verbs with query frames (information questions, commands, searches) and result wrappers;
- DOMAINS: per domain, entities with the actions they support and the roles each action takes.
An archetype is entity x action; its templates are the action's frames filled with the roles' phrases.
Names are checked to be unique and (with --check-bfcl) absent from BFCL.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from toolgym.data.archetypes import split_bucket  # noqa: E402


def words(text: str) -> list[str]:
    """A pool written as '|'-separated entries."""
    return [w.strip() for w in text.split("|") if w.strip()]


def surfaced(text: str) -> list[dict]:
    """A pool of 'value=surface/surface' entries separated by '|'."""
    out = []
    for item in words(text):
        value, _, forms = item.partition("=")
        out.append({"value": value.strip(), "surfaces": [f.strip() for f in forms.split("/")] or [value]})
    return out


# ============================================================== pools

FIRST = words("Maria|James|Aisha|Kenji|Sofia|Liam|Priya|Mateo|Chloe|Omar|Elena|Noah|Fatima|Lucas|Hannah|"
              "Diego|Yuki|Grace|Ravi|Ingrid|Samuel|Leila|Tomas|Nadia|Ethan|Zara|Felix|Amara|Oscar|Mei")
LAST = words("Lopez|Carter|Khan|Tanaka|Rossi|Murphy|Patel|Silva|Dubois|Haddad|Novak|Bennett|Okafor|Schmidt|"
             "Larsen|Moreno|Sato|Walsh|Iyer|Berg|Adeyemi|Costa|Fischer|Nguyen|Reyes|Kowalski|Brennan|Mensah")


def people(n: int = 60) -> list[str]:
    return [f"{FIRST[i % len(FIRST)]} {LAST[(i * 11) % len(LAST)]}" for i in range(n)]


def emails(n: int = 50) -> list[str]:
    hosts = ["northwind.io", "mailbox.org", "acmecorp.com", "brightlane.net", "example.com"]
    return [f"{p.split()[0].lower()}.{p.split()[1].lower()}@{hosts[i % len(hosts)]}" for i, p in
            enumerate(people(n))]


POOLS: dict[str, list] = {
    "cities": words("Lisbon|Toronto|Nairobi|Osaka|Buenos Aires|Melbourne|Vancouver|Reykjavik|Marrakesh|Prague|"
                    "Seoul|Dublin|Lima|Cape Town|Hanoi|Krakow|Denver|Auckland|Bergen|Valencia|Montreal|Porto|"
                    "Singapore|Edinburgh|Tbilisi|Santiago|Austin|Helsinki|Jaipur|Quito|Zurich|Seattle|"
                    "Bologna|Cairo|Manila|Oslo|Bogota|Munich|Nashville|Kyoto"),
    "countries": words("Portugal|Canada|Kenya|Japan|Argentina|Australia|Iceland|Morocco|Czechia|South Korea|"
                       "Ireland|Peru|Vietnam|Poland|New Zealand|Norway|Spain|Chile|Finland|India|Ecuador|"
                       "Switzerland|Egypt|Philippines|Colombia|Germany|Ghana|Mexico|Indonesia|Brazil"),
    "people": people(),
    "first_names": FIRST,
    "emails": emails(),
    "usernames": [f"{p.split()[0].lower()}_{p.split()[1][:3].lower()}{i % 97}" for i, p in
                  enumerate(people(40))],
    "currencies": surfaced("USD=USD/US dollars|EUR=EUR/euros|GBP=GBP/British pounds|JPY=JPY/Japanese yen|"
                           "CAD=CAD/Canadian dollars|AUD=AUD/Australian dollars|CHF=CHF/Swiss francs|"
                           "INR=INR/Indian rupees|MXN=MXN/Mexican pesos|BRL=BRL/Brazilian reais|"
                           "SEK=SEK/Swedish kronor|KRW=KRW/South Korean won|ZAR=ZAR/South African rand|"
                           "NOK=NOK/Norwegian kroner"),
    "crypto": surfaced("BTC=BTC/Bitcoin|ETH=ETH/Ethereum|SOL=SOL/Solana|ADA=ADA/Cardano|DOT=DOT/Polkadot|"
                       "XRP=XRP/Ripple|LTC=LTC/Litecoin|AVAX=AVAX/Avalanche|DOGE=DOGE/Dogecoin"),
    "tickers": surfaced("AAPL=AAPL/Apple|MSFT=MSFT/Microsoft|NVDA=NVDA/Nvidia|AMZN=AMZN/Amazon|"
                        "TSLA=TSLA/Tesla|KO=KO/Coca-Cola|NKE=NKE/Nike|DIS=DIS/Disney|JPM=JPM/JPMorgan|"
                        "PFE=PFE/Pfizer|SBUX=SBUX/Starbucks|ADBE=ADBE/Adobe|INTC=INTC/Intel|V=Visa|"
                        "WMT=WMT/Walmart|NFLX=NFLX/Netflix|ORCL=ORCL/Oracle|SONY=SONY/Sony"),
    "airports": surfaced("LIS=LIS/Lisbon airport|YYZ=YYZ/Toronto Pearson|NBO=NBO/Nairobi airport|"
                         "KIX=KIX/Osaka Kansai|EZE=EZE/Buenos Aires Ezeiza|MEL=MEL/Melbourne airport|"
                         "YVR=YVR/Vancouver airport|KEF=KEF/Reykjavik Keflavik|PRG=PRG/Prague airport|"
                         "ICN=ICN/Seoul Incheon|DUB=DUB/Dublin airport|LIM=LIM/Lima airport|"
                         "CPT=CPT/Cape Town airport|DEN=DEN/Denver airport|AKL=AKL/Auckland airport|"
                         "SIN=SIN/Singapore Changi|ZRH=ZRH/Zurich airport|SEA=SEA/Seattle-Tacoma|"
                         "OSL=OSL/Oslo airport|MUC=MUC/Munich airport"),
    "airlines": words("SkyBridge Air|Northern Star Airways|Pacific Crest|Aurora Airlines|Meridian Air|"
                      "BlueHeron Airways|Summit Jet|Coral Wings"),
    "hotels": words("Harbor View Inn|The Linden Hotel|Casa Azul Suites|Maple Court Hotel|The Grand Meridian|"
                    "Seaside Lodge|Old Town Residence|Parkside Plaza|The Copper Kettle Inn|Riverside Suites"),
    "companies": words("Northwind Traders|Brightlane Labs|Acme Robotics|Bluefin Logistics|Greenleaf Foods|"
                       "Ironclad Security|Lumen Analytics|Oakridge Health|Pioneer Solar|Quartz Media|"
                       "Redwood Capital|Silverline Telecom|Tidewater Shipping|Vertex Games|Willow Pharma"),
    "products": words("wireless earbuds|standing desk|espresso machine|running shoes|yoga mat|mechanical keyboard|"
                      "air purifier|electric kettle|backpack|smart watch|desk lamp|noise-cancelling headphones|"
                      "cast iron skillet|bluetooth speaker|office chair|water bottle|rain jacket|phone case|"
                      "portable charger|blender|robot vacuum|gaming mouse|tent|hiking boots"),
    "groceries": words("milk|eggs|bread|bananas|spinach|coffee beans|rice|chicken breast|tomatoes|cheddar|"
                       "yogurt|olive oil|apples|pasta|oat milk|avocados|butter|onions|garlic|salmon|"
                       "black beans|orange juice|carrots|honey"),
    "ingredients": words("chickpeas|basil|mushrooms|tofu|lemon|ginger|coconut milk|quinoa|lentils|bell pepper|"
                         "zucchini|feta|cilantro|sweet potato|shrimp|eggplant|parmesan|kale"),
    "cuisines": words("Italian|Thai|Mexican|Japanese|Indian|Ethiopian|Greek|Korean|Lebanese|Peruvian|"
                      "Vietnamese|French|Spanish|Turkish"),
    "dishes": words("pad thai|mushroom risotto|chicken tikka masala|shakshuka|beef pho|falafel wrap|"
                    "vegetable lasagna|fish tacos|ramen|paella|moussaka|bibimbap|lentil soup|banana bread"),
    "restaurants": words("Trattoria Lucia|Golden Lotus|El Fogon|Sakura House|Spice Route|Blue Door Bistro|"
                         "The Olive Tree|Casa Mia|Little Saigon Kitchen|Harvest Table"),
    "medications": words("ibuprofen|amoxicillin|metformin|lisinopril|atorvastatin|cetirizine|omeprazole|"
                         "levothyroxine|paracetamol|loratadine|sertraline|albuterol"),
    "symptoms": words("headache|sore throat|fever|back pain|dizziness|fatigue|nausea|cough|rash|insomnia|"
                      "chest tightness|joint pain"),
    "foods": words("oatmeal|banana|grilled chicken|brown rice|almonds|greek yogurt|broccoli|salmon fillet|"
                   "avocado toast|boiled egg|lentil soup|apple|peanut butter|whole wheat pasta"),
    "exercises": words("running|cycling|swimming|rowing|yoga|hiking|jump rope|strength training|pilates|"
                       "walking|boxing|elliptical"),
    "songs": words("Midnight Harbor|Paper Lanterns|Golden Hour Drive|Echoes of June|Neon Rain|Slow Tide|"
                   "Wildflower Road|Static Hearts|Northern Lights Waltz|City of Glass|Low Orbit|Sunday Ghosts"),
    "artists": words("The Velvet Pines|Luna Marquez|Static Avenue|Kofi Mensah Trio|Iris Kaplan|"
                     "The Paper Kites Collective|DJ Solstice|Marrow & Bone|Aiko Tanabe|The Lowland Choir"),
    "music_genres": words("jazz|hip hop|classical|indie rock|lo-fi|reggae|country|electronic|blues|k-pop|folk"),
    "movies": words("The Last Lighthouse|Glass Orchard|Beneath the Salt Flats|Orbit of Ashes|"
                    "The Quiet Cartographer|Winter at Hollow Creek|Signal Lost|The Ninth Garden|Red Canyon Run|"
                    "A Map of Small Things"),
    "tv_shows": words("Harbor Nights|The Ledger|Starfall Academy|Kitchen Confidential Live|Northbound|"
                      "Dead Reckoning|The Greenhouse|Parallel Lines"),
    "movie_genres": words("comedy|thriller|documentary|science fiction|drama|animation|horror|romance|action"),
    "books": words("The Cartographer's Daughter|Salt and Silence|A Field Guide to Tomorrow|The Clockmaker's Year|"
                   "Rivers of Iron|Letters from Lisbon|The Orchard Keeper's Notebook|Small Gods of August|"
                   "The Long Way North|Ink and Ember"),
    "authors": words("Helen Marsh|Tobias Wren|Amina Sowe|Rafael Ortega|Clara Lindqvist|Jun Park|Orla Byrne|"
                     "Idris Bello"),
    "podcasts": words("Deep Field Notes|The Daily Ledger|Curious Kitchen|Code and Coffee|History Unpacked|"
                      "The Long Run|Small Business Hour|Mind the Gap"),
    "news_topics": words("climate policy|electric vehicles|space exploration|housing market|public health|"
                         "artificial intelligence|renewable energy|local elections|supply chains|ocean cleanup"),
    "teams": words("Denver Falcons|Lisbon Navigators|Osaka Thunder|Toronto Wolves|Cape Town Rhinos|"
                   "Seattle Orcas|Munich Ravens|Melbourne Comets|Dublin Harriers|Austin Stallions|"
                   "Kyoto Cranes|Porto Mariners"),
    "athletes": words("Marco Vidal|Keiko Aoki|Darius Cole|Lena Brandt|Tyrone Okoye|Sofia Ruiz|Ben Hartley|"
                      "Anya Petrov|Jonah Reyes|Mila Novak"),
    "sports": words("soccer|basketball|tennis|baseball|ice hockey|cricket|rugby|volleyball|golf|cycling"),
    "languages": words("Spanish|French|German|Japanese|Portuguese|Italian|Korean|Arabic|Hindi|Swahili|Dutch|"
                       "Polish|Turkish|Greek|Vietnamese"),
    "lang_codes": surfaced("es=Spanish|fr=French|de=German|ja=Japanese|pt=Portuguese|it=Italian|ko=Korean|"
                           "ar=Arabic|hi=Hindi|sw=Swahili|nl=Dutch|pl=Polish|tr=Turkish"),
    "phrases": words("Where is the nearest train station?|Thank you for your help|The meeting is moved to Friday|"
                     "How much does this cost?|I would like a table for two|Please send the invoice today|"
                     "The package arrived damaged|Happy birthday, my friend|Can we reschedule our call?|"
                     "I am allergic to peanuts"),
    "vocab": words("serendipity|ephemeral|resilient|meticulous|ubiquitous|candor|lucid|pragmatic|verbose|"
                   "whimsical|tenacious|nostalgia"),
    "file_names": words("budget_2025.xlsx|meeting_notes.docx|vacation_photo.jpg|report_final.pdf|"
                        "invoice_0425.pdf|roadmap.pptx|dataset.csv|contract_draft.docx|logo.png|"
                        "tax_return.pdf|recipe_book.pdf|slides_q3.pptx"),
    "folders": words("/home/docs|/projects/alpha|/shared/finance|/photos/2025|/archive/old|/work/reports|"
                     "/music/playlists|/backups/weekly"),
    "repos": words("acme/webapp|northwind/api-server|brightlane/ml-pipeline|quartz/mobile-app|"
                   "pioneer/solar-dashboard|lumen/analytics-core|vertex/game-engine"),
    "branches": words("main|develop|feature/login-page|fix/payment-timeout|release/2.4|feature/dark-mode|"
                      "hotfix/cache-bug"),
    "prog_languages": words("Python|Rust|Go|TypeScript|Java|Kotlin|Swift|Ruby|C++|Scala"),
    "cloud_regions": words("us-east-1|eu-west-2|ap-southeast-1|eu-central-1|us-west-2|sa-east-1|ap-northeast-1"),
    "instance_types": words("t3.micro|m5.large|c6g.xlarge|r5.2xlarge|g5.xlarge|t4g.small"),
    "databases": words("orders_db|analytics|customers|inventory_main|billing|user_profiles"),
    "devices": words("living room lamp|bedroom heater|kitchen speaker|front door lock|garage door|"
                     "hallway thermostat|porch light|office fan|nursery camera|patio sprinkler"),
    "rooms": words("living room|kitchen|bedroom|office|bathroom|garage|hallway|patio|basement|nursery"),
    "vehicles": words("2021 Honda Civic|2019 Toyota RAV4|2023 Tesla Model 3|2018 Ford F-150|2022 Kia Niro|"
                      "2020 Subaru Outback|2017 Mazda CX-5"),
    "job_titles": words("data analyst|backend engineer|product designer|nurse practitioner|sales manager|"
                        "electrician|high school teacher|marketing coordinator|accountant|UX researcher"),
    "skills": words("SQL|project management|public speaking|Figma|machine learning|copywriting|Excel|"
                    "customer service|welding|Spanish"),
    "courses": words("Intro to Statistics|Web Development Basics|Watercolor for Beginners|Financial Literacy|"
                     "Conversational Japanese|Data Visualization|Creative Writing|Organic Chemistry I"),
    "elements": surfaced("H=H/hydrogen|He=He/helium|C=C/carbon|N=N/nitrogen|O=O/oxygen|Na=Na/sodium|"
                         "Fe=Fe/iron|Cu=Cu/copper|Ag=Ag/silver|Au=Au/gold|Ca=Ca/calcium|Si=Si/silicon|"
                         "Zn=Zn/zinc|Ne=Ne/neon"),
    "planets": words("Mercury|Venus|Mars|Jupiter|Saturn|Uranus|Neptune"),
    "species": words("red fox|humpback whale|snow leopard|monarch butterfly|african elephant|bald eagle|"
                     "green sea turtle|honey bee|gray wolf|emperor penguin"),
    "genes": words("BRCA1|TP53|EGFR|APOE|CFTR|MTHFR|KRAS|HBB"),
    "landmarks": words("Eiffel Tower|Golden Gate Bridge|Sagrada Familia|Table Mountain|Sydney Opera House|"
                       "Machu Picchu|Mount Fuji|Brandenburg Gate|Colosseum|Niagara Falls"),
    "parks": words("Yosemite|Banff|Torres del Paine|Serengeti|Kruger|Fiordland|Zion|Plitvice Lakes"),
    "streets": words("12 Harbor Lane|48 Maple Avenue|7 Rua Augusta|221 Queen Street|90 Elm Road|"
                     "15 Kingsway|33 Birch Street|5 Canal Walk|102 Hillcrest Drive|64 Station Road"),
    "hashtags": words("#sustainability|#foodie|#travelgram|#mondaymotivation|#techtalk|#bookclub|#fitness|"
                      "#smallbusiness"),
    "post_texts": words("Just finished my first half marathon!|Our new store opens this Saturday|"
                        "Loving the autumn colors in the park|Big news coming next week|"
                        "Thanks to everyone who came to the launch|Trying a new recipe tonight"),
    "messages": words("Running ten minutes late|Can you call me when you're free?|The report is ready for review|"
                      "Dinner at 7 tonight?|Don't forget to bring the charger|Meeting moved to room 4B|"
                      "Happy to help with the move on Sunday|Please confirm the delivery address"),
    "subjects": words("Quarterly budget review|Project kickoff|Invoice overdue|Weekend plans|Team offsite agenda|"
                      "Contract renewal|Welcome aboard|Feedback on the draft"),
    "event_titles": words("Team standup|Dentist appointment|Quarterly planning|Book club|Yoga class|"
                          "Parent-teacher meeting|Product demo|Birthday dinner|Client call|Design review"),
    "task_titles": words("Renew passport|Pay electricity bill|Email the landlord|Prepare slides|Book flights|"
                         "Call the plumber|Submit expense report|Water the plants|Buy a birthday gift|"
                         "Update resume"),
    "search_queries": words("best hiking trails|vegan protein sources|how to fix a leaky faucet|"
                            "remote work tips|budget travel in Europe|beginner guitar chords|"
                            "home office setup ideas|time management techniques"),
    "colors": words("red|blue|green|black|white|gray|navy|beige|purple|orange|yellow"),
    "sizes": words("XS|S|M|L|XL|XXL"),
    "tags": words("urgent|personal|work|finance|travel|health|family|ideas|follow-up|archive"),
    "departments": words("engineering|marketing|finance|human resources|sales|customer support|legal|operations"),
    "plants": words("tomato|basil|monstera|lavender|fiddle leaf fig|snake plant|rosemary|strawberry|orchid|"
                    "peace lily"),
    "crops": words("wheat|corn|soybeans|rice|barley|potatoes|coffee|cotton|sugarcane|canola"),
    "dog_breeds": words("golden retriever|border collie|french bulldog|beagle|labrador|dachshund|poodle|"
                        "siberian husky|shiba inu"),
    "pet_names": words("Biscuit|Luna|Max|Pepper|Milo|Nala|Rocky|Olive|Ziggy|Coco"),
    "venues": words("Riverside Arena|The Blue Room|Civic Auditorium|Harbor Amphitheater|Old Mill Hall|"
                    "Lakeside Stadium|The Velvet Lounge"),
    "games": words("Starfall Odyssey|Kingdom of Tides|Pixel Racers|Hollow Depths|Tactics Arena|Farmstead Tales|"
                   "Neon Drift|Castle Siege Online"),
    "stations": words("Central Station|Harbor Street|University|Airport Terminal|Old Town|Riverside|"
                      "Market Square|North Park"),
    "transit_lines": words("Red Line|Blue Line|Line 4|Green Line|Express 12|Night Bus N7|Tram 28|Orange Line"),
    "charities": words("Clean Oceans Fund|Bright Minds Literacy|Shelter First|Green Canopy Trust|"
                       "Meals on Wheels Local|Rescue Paws"),
    "insurance_types": words("home|auto|travel|pet|renters|life|health"),
    "utilities": words("electricity|water|natural gas|internet|trash collection"),
    "image_styles": words("watercolor|pixel art|photorealistic|line drawing|oil painting|cartoon|minimalist"),
    "image_subjects": words("a lighthouse at dusk|a fox in the snow|a cozy reading nook|a futuristic city skyline|"
                            "a bowl of ramen|a mountain lake at sunrise|an old sailing ship"),
    "fonts": words("Helvetica|Garamond|Roboto|Futura|Georgia|Inter"),
    "metrics": words("page views|sign-ups|revenue|bounce rate|active users|conversion rate|session length"),
    "units_length": words("meters|feet|kilometers|miles|inches|centimeters|yards"),
    "units_weight": words("kilograms|pounds|grams|ounces|stones"),
    "units_temp": words("Celsius|Fahrenheit|Kelvin"),
    "units_volume": words("liters|gallons|milliliters|cups|fluid ounces"),
    "time_zones": [{"value": tz, "surfaces": [tz, f"{tz.split('/')[-1].replace('_', ' ')} time"]} for tz in words(
        "Europe/Lisbon|America/Toronto|Asia/Tokyo|Africa/Nairobi|Australia/Sydney|America/Denver|Europe/Berlin|"
        "Asia/Kolkata|America/Sao_Paulo")],
    "domains_web": words("northwind.io|brightlane.net|quartzmedia.com|pioneersolar.org|lumenanalytics.ai|"
                         "greenleaf-foods.com|tidewater.shipping"),
    "ip_addresses": words("192.168.1.20|10.0.4.17|172.16.8.3|203.0.113.45|198.51.100.7|10.12.0.99"),
    "stars": words("Sirius|Betelgeuse|Vega|Polaris|Rigel|Arcturus|Antares|Aldebaran|Proxima Centauri"),
    "minerals": words("quartz|feldspar|mica|calcite|pyrite|hematite|gypsum|talc"),
    "compounds": surfaced("H2O=H2O/water|CO2=CO2/carbon dioxide|NaCl=NaCl/sodium chloride|"
                          "C6H12O6=C6H12O6/glucose|NH3=NH3/ammonia|CH4=CH4/methane|H2SO4=H2SO4/sulfuric acid|"
                          "C2H5OH=C2H5OH/ethanol"),
    "diseases": words("influenza|measles|malaria|tuberculosis|dengue|cholera|covid-19|chickenpox"),
    "legal_areas": words("tenant rights|employment law|small claims|immigration|family law|intellectual property"),
    "document_types": words("lease agreement|non-disclosure agreement|invoice|power of attorney|will|"
                            "employment contract"),
    "permit_types": words("building permit|parking permit|event permit|business license|fishing license|"
                          "food vendor permit"),
    "shipping_carriers": words("SwiftShip|ParcelPoint|BlueRoute Express|Atlas Freight|QuickPost"),
    "warehouses": words("WH-North|WH-East|WH-Central|WH-South|WH-Harbor"),
    "skus": [f"SKU-{1000 + i * 37}" for i in range(20)],
    "coins_games": words("chess|checkers|go|backgammon|sudoku|crossword"),
    "car_makes": words("Toyota|Honda|Ford|Tesla|Kia|Subaru|Volkswagen|Mazda|Hyundai|BMW"),
    "energy_sources": words("solar|wind|hydro|natural gas|nuclear|coal|geothermal"),
    "apps": words("Slack|Spotify|Notion|Zoom|Figma|Trello|Dropbox|WhatsApp"),
    "camera_names": words("front porch camera|backyard camera|garage camera|driveway camera|nursery camera"),
    "meeting_rooms": words("Room 4B|Atlas|Boardroom|Huddle 2|Orion|Room 12A|Summit"),
    "tickets_topics": words("login issue|billing question|refund request|broken feature|account locked|"
                            "shipping delay|password reset"),
    "currencies_words": words("dollars|euros|pounds"),
}


# ============================================================== roles (parameters)


@dataclass
class Role:
    """A parameter kind: schema + sampler + phrase banks. `{v}` stands for the rendered value."""

    name: str
    schema: dict
    sampler: dict
    inline: list[str]
    ctx: list[str]
    clause: list[str]
    noun: str


ROLES: dict[str, Role] = {}


def role(name: str, schema: dict, sampler: dict, inline: list[str], ctx: list[str] | None = None,
         clause: list[str] | None = None, noun: str = "", param: str | None = None) -> None:
    key = name
    if key in ROLES:
        raise SystemExit(f"duplicate role {key}")
    label = (param or name).replace("_", " ")
    ctx = ctx or [f"The {label} is {{v}}."]
    ROLES[key] = Role(param or name, schema, sampler, inline, ctx, clause or ctx, noun or name.replace("_", " "))


def S(desc: str, **extra: Any) -> dict:
    return {"type": "string", "description": desc, **extra}


def I(desc: str, **extra: Any) -> dict:  # noqa: E743
    return {"type": "integer", "description": desc, **extra}


def N(desc: str, **extra: Any) -> dict:
    return {"type": "number", "description": desc, **extra}


def B(desc: str) -> dict:
    return {"type": "boolean", "description": desc}


def E(desc: str, values: list[str]) -> dict:
    return {"type": "string", "description": desc, "enum": values}


def A(desc: str, items: dict, **extra: Any) -> dict:
    return {"type": "array", "description": desc, "items": items, **extra}


def O(desc: str, props: dict) -> dict:  # noqa: E743
    return {"type": "object", "description": desc, "properties": props, "required": list(props)}


def pool(name: str, quote: bool = False) -> dict:
    return {"kind": "pool", "pool": name, **({"quote": True} if quote else {})}


def differs(spec: dict, other: str) -> dict:
    """A sampler whose value is resampled while it equals the argument `other` (e.g. to_unit vs from_unit)."""
    return {**spec, "differs_from": other}


def ints(lo: int, hi: int, unit: Any = None, words_: bool = False, step: int = 1) -> dict:
    spec: dict = {"kind": "int", "min": lo, "max": hi}
    if unit is not None:
        spec["unit"] = unit
    if words_:
        spec["words"] = True
    if step != 1:
        spec["step"] = step
    return spec


def nums(lo: float, hi: float, decimals: int = 1, unit: Any = None, prefix: str = "") -> dict:
    spec: dict = {"kind": "number", "min": lo, "max": hi, "decimals": decimals}
    if unit is not None:
        spec["unit"] = unit
    if prefix:
        spec["prefix"] = prefix
    return spec


def boolean(true: list[str], false: list[str]) -> dict:
    return {"kind": "bool", "true": true, "false": false}


def enum(surfaces: dict[str, list[str]] | None = None) -> dict:
    return {"kind": "enum", **({"surfaces": surfaces} if surfaces else {})}


def date(start: str = "2025-01-01", end: str = "2026-12-31") -> dict:
    return {"kind": "date", "start": start, "end": end}


def listof(items: dict, lo: int = 2, hi: int = 3) -> dict:
    return {"kind": "list", "items": items, "min": lo, "max": hi}


def obj(fields: dict, surface: list[str]) -> dict:
    return {"kind": "object", "fields": fields, "surface": surface}


def pattern(p: str) -> dict:
    return {"kind": "pattern", "pattern": p}


def idrole(key: str, what: str, pat: str, param: str | None = None) -> None:
    """An identifier parameter (e.g. an order ID) sampled from a pattern."""
    role(key, S(f"{what} identifier."), pattern(pat), ["{v}", f"for {what.lower()} {{v}}", "with ID {v}"],
         [f"The {what.lower()} ID is {{v}}.", f"It's {what.lower()} {{v}}."],
         [f"Use {what.lower()} {{v}}."], f"{article(what)} {what.lower()} ID", param=param)


DATE_DESC = " (ISO 8601, YYYY-MM-DD)."

# --- shared roles -------------------------------------------------------------------------------
role("city", S("City name, e.g. Lisbon."), pool("cities"), ["in {v}", "for {v}"],
     ["I'm asking about {v}.", "This is for {v}."], ["It's for {v}."], "a city")
role("country", S("Country name."), pool("countries"), ["in {v}", "for {v}"],
     ["The country is {v}.", "I'm asking about {v}."], ["Only ones in {v}."], "a country")
role("date", S("Date" + DATE_DESC), date(), ["on {v}", "for {v}"],
     ["The date is {v}.", "It's for {v}."], ["Make it for {v}."], "a date")
role("start_date", S("First day of the range" + DATE_DESC), date("2025-01-01", "2025-12-31"),
     ["from {v}", "starting {v}"], ["Start from {v}."], ["Start from {v}."], "a start date")
role("end_date", S("Last day of the range" + DATE_DESC), date("2026-01-01", "2026-12-31"),
     ["until {v}", "through {v}"], ["It should run until {v}."], ["End it on {v}."], "an end date")
role("time", S("Time of day, 24-hour HH:MM."), {"kind": "time"}, ["at {v}"],
     ["The time is {v}."], ["Make it at {v}."], "a time")
role("days", I("Number of days to cover.", minimum=1, maximum=14), ints(1, 14, ["day", "days"], True),
     ["for the next {v}", "over the next {v}"], ["I need the next {v}."], ["Cover the next {v}."],
     "a number of days")
role("days_back", I("Number of past days to cover.", minimum=1, maximum=90), ints(2, 30, ["day", "days"], True),
     ["over the past {v}", "from the last {v}"], ["Look at the last {v}."], ["Look back {v}.", "Cover the past {v}."],
     "a look-back window", param="days")
role("alarm_days", A("Days of the week.", {"type": "string", "enum": ["monday", "tuesday", "wednesday", "thursday",
                                                                     "friday", "saturday", "sunday"]}),
     listof(enum({d: [d.capitalize() + "s", d.capitalize()] for d in ["monday", "tuesday", "wednesday", "thursday",
                                                                      "friday", "saturday", "sunday"]}), 1, 3),
     ["on {v}", "every {v}"], ["It's for {v}."], ["Repeat it on {v}.", "Only on {v}."], "days of the week",
     param="days")
role("limit", I("Maximum number of results to return.", minimum=1, maximum=50),
     ints(2, 20, ["result", "results"], True), ["limited to {v}"], ["I only need {v}."],
     ["Show at most {v}.", "Return no more than {v}.", "Limit it to {v}."], "a result limit")
role("page", I("Page number of the results, starting at 1.", minimum=1), ints(1, 9, None, False),
     ["on page {v}"], ["I want page {v}."], ["Give me page {v} of the results."], "a page number")
role("sort_order", E("Sort order of the results.", ["asc", "desc"]),
     enum({"asc": ["ascending order"], "desc": ["descending order"]}),
     ["sorted in {v}"], ["Sort them in {v}."], ["Sort them in {v}.", "List them in {v}."], "a sort order")
role("include_details", B("Whether to include the full details."),
     boolean(["with full details", "including every detail"], ["in summary form only", "as a short summary"]),
     ["{v}"], ["I want it {v}."], ["Return it {v}.", "Give it to me {v}."], "a detail flag")
role("notify", B("Whether to send a notification."),
     boolean(["and notify everyone involved", "and send a notification"],
             ["without notifying anyone", "and keep it silent with no notification"]),
     ["{v}"], ["Do it {v}."], ["Do it {v}."], "a notification flag")
role("person", S("Full name of the person."), pool("people"), ["for {v}", "of {v}"],
     ["This is about {v}.", "The person is {v}."], ["It's for {v}."], "a person")
role("contact_name", S("Full name of the contact."), pool("people"), ["named {v}", "called {v}"],
     ["The contact is {v}."], ["The contact is {v}."], "a contact name", param="name")
role("recipient", S("Full name of the recipient."), pool("people"), ["to {v}"],
     ["It goes to {v}.", "The recipient is {v}."], ["Send it to {v}."], "a recipient")
role("email", S("Email address."), pool("emails"), ["for {v}", "at {v}"],
     ["The email is {v}.", "My address is {v}."], ["Use the address {v}."], "an email address")
role("recipients", A("Email addresses of the recipients.", {"type": "string"}), listof(pool("emails"), 1, 3),
     ["to {v}"], ["It should go to {v}."], ["Also send it to {v}."], "a list of recipients")
role("attendees", A("Email addresses of the attendees.", {"type": "string"}), listof(pool("emails"), 1, 3),
     ["with {v}"], ["The attendees are {v}."], ["Invite {v}.", "Add {v} as attendees."], "attendees")
role("phone", S("Phone number in international format."), pattern("+1-###-###-####"),
     ["at {v}", "on {v}"], ["The number is {v}."], ["My number is {v}."], "a phone number")
role("username", S("Account username."), pool("usernames"), ["for the user {v}", "for user {v}"],
     ["The username is {v}.", "It's the account {v}."], ["The account is {v}."], "a username")
role("language", S("Language name, e.g. Spanish."), pool("languages"), ["in {v}"],
     ["I want it in {v}."], ["Use {v} as the language.", "Answer in {v}."], "a language")
role("query", S("Free-text search query."), pool("search_queries", quote=True), ["for {v}", "matching {v}"],
     ["My search is {v}."], ["Search for {v}."], "a search query")
role("tags", A("Tags to attach.", {"type": "string"}), listof(pool("tags"), 1, 3), ["tagged {v}"],
     ["Tag it {v}."], ["Tag it with {v}.", "Add the tags {v}."], "tags")
role("tag_filter", A("Only items with these tags.", {"type": "string"}), listof(pool("tags"), 1, 2),
     ["tagged {v}", "with the tags {v}"], ["I only want ones tagged {v}."], ["Only ones tagged {v}."],
     "tags to filter by", param="tags")
role("note", S("Free-text note."), pool("messages", quote=True), ["with the note {v}"],
     ["Add the note {v}."], ["Add the note {v}.", "Include the note {v}."], "a note")
role("address", O("Street address.", {"street": S("Street and number."), "city": S("City."),
                                      "postal_code": S("Postal code.")}),
     obj({"street": pool("streets"), "city": pool("cities"), "postal_code": pattern("#####")},
         ["{street}, {city} {postal_code}", "{street} in {city}, postal code {postal_code}"]),
     ["at {v}", "to {v}"], ["The address is {v}."], ["The address is {v}."], "an address")
role("coordinates", O("Geographic point.", {"latitude": N("Latitude in degrees."),
                                            "longitude": N("Longitude in degrees.")}),
     obj({"latitude": nums(-60, 70, 4), "longitude": nums(-170, 170, 4)},
         ["latitude {latitude}, longitude {longitude}", "coordinates ({latitude}, {longitude})"]),
     ["at {v}", "near {v}"], ["I'm at {v}."], ["Use the point {v}."], "a location")
role("price_range", O("Price range in US dollars.", {"min_price": N("Lowest price."), "max_price": N("Highest price.")}),
     obj({"min_price": nums(5, 60, 0, None, "$"), "max_price": nums(80, 400, 0, None, "$")},
         ["between {min_price} and {max_price}", "from {min_price} to {max_price}"]),
     ["priced {v}"], ["My budget is {v}."], ["Keep the price {v}."], "a price range")
role("date_range", O("Date range.", {"start": S("First day" + DATE_DESC), "end": S("Last day" + DATE_DESC)}),
     obj({"start": date("2025-01-01", "2025-06-30"), "end": date("2025-07-01", "2025-12-31")},
         ["from {start} to {end}", "between {start} and {end}"]),
     ["{v}"], ["The period is {v}."], ["Cover the period {v}."], "a date range")
role("amount_usd", N("Amount in US dollars.", minimum=0), nums(5, 2500, 2, None, "$"),
     ["of {v}", "for {v}"], ["The amount is {v}."], ["The amount is {v}."], "an amount", param="amount")
role("currency", S("ISO 4217 currency code."), pool("currencies"), ["in {v}"],
     ["I'm paying in {v}."], ["Use {v} as the currency.", "Show amounts in {v}."], "a currency")
role("color", S("Color name."), pool("colors"), ["in {v}"], ["I want it in {v}."],
     ["Make it {v}.", "The color should be {v}."], "a color")
role("priority", E("Priority level.", ["low", "normal", "high", "urgent"]), enum(),
     ["with {v} priority"], ["The priority is {v}."], ["Mark it {v} priority.", "Set the priority to {v}."],
     "a priority")


# ============================================================== actions and query frames

INFO_FRAMES = [
    "What {BE} {E} {ARGS}?",
    "Can you {V} {E} {ARGS}?",
    "I need {E} {ARGS}.",
    "Please {V} {E} {ARGS}.",
    "{CTX1} Could you {V} {E} {REST}?",
    "Tell me {E} {ARGS}.",
    "{CTX} I'd like to know {E}. Can you help?",                  # held out
    "Quick question: could you {V} {E} {ARGS}? Thanks in advance.",  # held out
]
COMMAND_FRAMES = [
    "{V} {E} {ARGS}.",
    "Can you {V} {E} {ARGS}?",
    "I'd like to {V} {E} {ARGS}.",
    "Please {V} {E} {ARGS}.",
    "{CTX1} Could you {V} {E} {REST}?",
    "I need you to {V} {E} {ARGS}.",
    "{CTX} Please {V} {E} for me.",                                  # held out
    "Hi! Would you mind helping me {V} {E} {ARGS}? Much appreciated.",  # held out
]
SEARCH_FRAMES = [
    "Find {E} {ARGS}.",
    "Can you search for {E} {ARGS}?",
    "I'm looking for {E} {ARGS}.",
    "Show me {E} {ARGS}.",
    "{CTX1} Can you {V} {E} {REST}?",
    "Are there any {E} {ARGS}?",
    "{CTX} What {E} can you find?",                                  # held out
    "Help me out: {V} {E} {ARGS}, please.",                          # held out
]


@dataclass
class Action:
    """A verb: how it names tools, which frames its queries use, how its result looks."""

    key: str
    frames: list[str]
    verbs: list[str]
    det: str                  # "the", "a" or "plural"
    desc: str
    result: str               # "entity", "list", "created", "updated", "done"
    status: str = ""


ACTIONS: dict[str, Action] = {}


def action(key: str, frames: list[str], verbs: list[str], det: str, desc: str, result: str,
           status: str = "") -> None:
    ACTIONS[key] = Action(key, frames, verbs, det, desc, result, status)


action("get", INFO_FRAMES, ["get", "look up", "check", "pull up", "fetch", "retrieve"], "the", "Get", "entity")
action("check", INFO_FRAMES, ["check", "verify", "look up", "find out"], "the", "Check", "entity")
action("calculate", INFO_FRAMES, ["calculate", "work out", "compute", "figure out"], "the", "Calculate",
       "entity")
action("estimate", INFO_FRAMES, ["estimate", "work out", "calculate", "figure out"], "the", "Estimate",
       "entity")
action("track", INFO_FRAMES, ["track", "check on", "look up", "follow"], "the", "Track", "entity")
action("analyze", INFO_FRAMES, ["analyze", "run an analysis of", "assess", "evaluate"], "the", "Analyze",
       "entity")
action("predict", INFO_FRAMES, ["predict", "forecast", "project", "estimate"], "the", "Predict", "entity")
action("list", SEARCH_FRAMES, ["list", "show", "find", "pull up"], "plural", "List", "list")
action("search", SEARCH_FRAMES, ["search for", "find", "look up", "dig up"], "plural", "Search for", "list")
action("find", SEARCH_FRAMES, ["find", "locate", "look for", "track down"], "plural", "Find", "list")
action("create", COMMAND_FRAMES, ["create", "set up", "make", "add"], "a", "Create", "created", "created")
action("add", COMMAND_FRAMES, ["add", "save", "put in", "register"], "a", "Add", "created", "added")
action("book", COMMAND_FRAMES, ["book", "reserve", "lock in", "secure"], "a", "Book", "created", "booked")
action("schedule", COMMAND_FRAMES, ["schedule", "plan", "set up", "arrange"], "a", "Schedule", "created",
       "scheduled")
action("send", COMMAND_FRAMES, ["send", "deliver", "fire off", "dispatch"], "a", "Send", "created", "sent")
action("submit", COMMAND_FRAMES, ["submit", "file", "lodge", "send in"], "a", "Submit", "created",
       "submitted")
action("order", COMMAND_FRAMES, ["order", "place an order for", "buy", "get"], "a", "Order", "created",
       "ordered")
action("generate", COMMAND_FRAMES, ["generate", "produce", "make", "create"], "a", "Generate", "created",
       "generated")
action("start", COMMAND_FRAMES, ["start", "begin", "kick off", "launch"], "a", "Start", "created", "started")
action("update", COMMAND_FRAMES, ["update", "change", "modify", "edit"], "the", "Update", "updated",
       "updated")
action("set", COMMAND_FRAMES, ["set", "adjust", "configure", "change"], "the", "Set", "updated", "updated")
action("delete", COMMAND_FRAMES, ["delete", "remove", "erase", "get rid of"], "the", "Delete", "done",
       "deleted")
action("cancel", COMMAND_FRAMES, ["cancel", "call off", "drop", "terminate"], "the", "Cancel", "done",
       "cancelled")
action("share", COMMAND_FRAMES, ["share", "pass along", "send over", "forward"], "the", "Share", "done",
       "shared")
action("stop", COMMAND_FRAMES, ["stop", "halt", "end", "shut down"], "the", "Stop", "done", "stopped")
action("play", COMMAND_FRAMES, ["play", "put on", "start playing", "queue up"], "the", "Play", "done",
       "playing")
action("rename", COMMAND_FRAMES, ["rename", "relabel", "change the name of", "retitle"], "the", "Rename",
       "updated", "renamed")
action("move", COMMAND_FRAMES, ["move", "relocate", "transfer", "shift"], "the", "Move", "updated", "moved")
action("archive", COMMAND_FRAMES, ["archive", "file away", "put away", "stash"], "the", "Archive", "done",
       "archived")
action("renew", COMMAND_FRAMES, ["renew", "extend", "prolong", "refresh"], "the", "Renew", "updated",
       "renewed")
action("pay", COMMAND_FRAMES, ["pay", "settle", "clear", "take care of"], "the", "Pay", "done", "paid")
action("transfer", COMMAND_FRAMES, ["make", "send", "set up", "initiate"], "a", "Make", "created",
       "completed")
action("convert", INFO_FRAMES, ["convert", "translate", "change", "turn"], "the", "Convert", "entity")
action("translate", COMMAND_FRAMES, ["translate", "render", "convert", "put"], "the", "Translate", "entity")
action("subscribe", COMMAND_FRAMES, ["subscribe to", "sign up for", "follow", "join"], "the", "Subscribe to",
       "created", "subscribed")
action("rate", COMMAND_FRAMES, ["rate", "review", "score", "give a rating to"], "the", "Rate", "done", "rated")
action("compare", INFO_FRAMES, ["compare", "contrast", "weigh up", "line up"], "the", "Compare", "entity")
action("register", COMMAND_FRAMES, ["register", "enroll", "sign up", "enlist"], "a", "Register", "created",
       "registered")
action("reset", COMMAND_FRAMES, ["reset", "restart", "reinitialize", "reboot"], "the", "Reset", "done",
       "reset")
action("lock", COMMAND_FRAMES, ["lock", "secure", "lock up", "freeze"], "the", "Lock", "done", "locked")
action("export", COMMAND_FRAMES, ["export", "download", "save out", "dump"], "the", "Export", "created",
       "exported")
action("upload", COMMAND_FRAMES, ["upload", "push", "send up", "put"], "a", "Upload", "created", "uploaded")
action("report", COMMAND_FRAMES, ["report", "flag", "log", "file"], "a", "Report", "created", "reported")
action("assign", COMMAND_FRAMES, ["assign", "hand over", "give", "allocate"], "the", "Assign", "updated",
       "assigned")
action("approve", COMMAND_FRAMES, ["approve", "sign off on", "accept", "greenlight"], "the", "Approve", "done",
       "approved")
action("validate", INFO_FRAMES, ["validate", "verify", "check", "confirm"], "the", "Validate", "entity")
action("summarize", INFO_FRAMES, ["summarize", "sum up", "give an overview of", "recap"], "the", "Summarize",
       "entity")
action("recommend", SEARCH_FRAMES, ["recommend", "suggest", "pick out", "propose"], "plural", "Recommend",
       "list")


# ============================================================== entities and domains


@dataclass
class Ent:
    """An entity of a domain; `acts` maps an action to its roles ('role' required, 'role?' optional)."""

    noun: str
    acts: dict[str, str]
    result: dict = field(default_factory=dict)
    stem: str = ""
    plural: str = ""
    are: bool = False
    desc: dict[str, str] = field(default_factory=dict)
    templates: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Domain:
    name: str
    prefix: str
    entities: list[Ent]


DOMAINS: list[Domain] = []


def domain(name: str, prefix: str, *entities: Ent) -> None:
    DOMAINS.append(Domain(name, prefix, list(entities)))


def pluralize(noun: str) -> str:
    head, _, last = noun.rpartition(" ")
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


def article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# ============================================================== assembly


def name_words(dom: Domain, ent: Ent, act: Action) -> list[str]:
    stem = ent.stem or snake(ent.noun)
    if act.det == "plural":
        stem = snake(ent.plural) if ent.plural else snake(pluralize(stem.replace("_", " ")))
    verb = snake(act.key)
    return [verb, *stem.split("_")]


def style_for(dom: Domain, ent: Ent, act: Action) -> str:
    """Style per domain, with an eighth of the archetypes styled on their own (hash-deterministic)."""
    styles = ("snake", "snake", "camel", "dotted", "title", "snake", "camel", "dotted", "title", "snake")
    own = split_bucket(f"style:{dom.name}:{ent.noun}:{act.key}", 8) == 0
    key = f"style:{dom.name}:{ent.noun}:{act.key}" if own else f"style:{dom.name}"
    return styles[split_bucket(key, len(styles))]


def make_name(style: str, dom: Domain, ws: list[str], act: Action) -> str:
    if style == "snake":
        return "_".join(ws)
    if style == "camel":
        return ws[0] + "".join(w.capitalize() for w in ws[1:])
    if style == "dotted":
        rest = ws[1:]
        prefix = dom.prefix.split("_")
        if rest[: len(prefix)] == prefix and len(rest) > len(prefix):
            rest = rest[len(prefix):]
        return f"{dom.prefix}.{'_'.join([ws[0], *rest])}"
    body = ws[1:] if act.key == "get" else ws
    return "_".join(w.capitalize() for w in body) + "_API"


def parse_roles(spec: str) -> list[tuple[Role, bool]]:
    out = []
    for token in spec.split():
        optional = token.endswith("?")
        key = token.rstrip("?")
        if key not in ROLES:
            raise SystemExit(f"unknown role {key!r} in {spec!r}")
        out.append((ROLES[key], not optional))
    return out


def entity_phrase(ent: Ent, act: Action) -> tuple[str, str]:
    """(noun phrase, 'is'/'are') for the action's determiner."""
    if act.det == "plural":
        return (ent.plural or pluralize(ent.noun)), "are"
    if act.det == "a":
        return f"{article(ent.noun)} {ent.noun}", "is"
    return f"the {ent.noun}", "are" if ent.are else "is"


def fill_phrase(text: str, param: str) -> str:
    return text.replace("{v}", "{" + param + "}")


def frame_to_template(frame: str, i: int, act: Action, ent: Ent, roles: list[tuple[Role, bool]]) -> str:
    required = [r for r, req in roles if req]
    noun, be = entity_phrase(ent, act)
    inline = [fill_phrase(r.inline[(i + j) % len(r.inline)], r.name) for j, r in enumerate(required)]
    ctx = [fill_phrase(r.ctx[(i + j) % len(r.ctx)], r.name) for j, r in enumerate(required)]
    verb = act.verbs[i % len(act.verbs)]
    text = (frame.replace("{CTX1}", ctx[0] if ctx else "").replace("{REST}", " ".join(inline[1:]))
            .replace("{CTX}", " ".join(ctx)).replace("{ARGS}", " ".join(inline))
            .replace("{E}", noun).replace("{BE}", be).replace("{V}", verb))
    text = re.sub(r"\s+([?.,!])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text[:1].upper() + text[1:]


def describe(dom: Domain, ent: Ent, act: Action, roles: list[tuple[Role, bool]]) -> str:
    if act.key in ent.desc:
        first = ent.desc[act.key]
    else:
        noun, _ = entity_phrase(ent, act)
        req = [r.noun for r, q in roles if q]
        given = f" given {join_words(req)}" if req else ""
        first = f"{act.desc} {noun}{given}."
    opt = [r.noun for r, q in roles if not q]
    return first + (f" Optional: {join_words(opt)}." if opt else "")


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def result_template(dom: Domain, ent: Ent, act: Action, roles: list[tuple[Role, bool]]) -> dict:
    echo = {r.name: f"$arg:{r.name}" for r, req in roles if req}
    body = ent.result or {"status": "ok"}
    stem = ent.stem or snake(ent.noun)
    if act.result == "entity":
        return {**echo, **body}
    if act.result == "list":
        return {"query": echo, "total": "$int:1:40", "results": [body, body]}
    if act.result == "created":
        tag = "".join(w[0] for w in stem.split("_")).upper()[:3].ljust(3, "X")
        return {"status": act.status, f"{stem}_id": f"$id:{tag}-######", **echo}
    return {"status": act.status, **echo}


def build_archetype(dom: Domain, ent: Ent, act_key: str, role_spec: str) -> dict:
    act = ACTIONS[act_key]
    roles = parse_roles(role_spec)
    params = [r.name for r, _ in roles]
    if len(set(params)) != len(params):
        raise SystemExit(f"{dom.name}/{ent.noun}/{act_key}: two roles share a parameter name: {params}")
    if not any(req for _, req in roles):
        raise SystemExit(f"{dom.name}/{ent.noun}/{act_key}: needs a required parameter")
    style = style_for(dom, ent, act)
    name = ent.names.get(act_key) or make_name(style, dom, name_words(dom, ent, act), act)
    if act_key in ent.templates:
        templates = [t.replace("{{", "{").replace("}}", "}") for t in ent.templates[act_key]]
    else:
        templates = [frame_to_template(f, i, act, ent, roles) for i, f in enumerate(act.frames)]
    props, samplers = {}, {}
    for r, req in roles:
        props[r.name] = r.schema
        spec = dict(r.sampler)
        if not req:
            spec["clauses"] = [fill_phrase(c, r.name) for c in r.clause]
        samplers[r.name] = spec
    return {
        "name": name,
        "style": detect_style(name),
        "description": describe(dom, ent, act, roles),
        "parameters": {"type": "object", "properties": props, "required": [r.name for r, q in roles if q]},
        "samplers": samplers,
        "templates": templates,
        "result_template": result_template(dom, ent, act, roles),
        "split_group": split_bucket(f"tool:{name}"),
    }


def detect_style(name: str) -> str:
    if name.endswith("_API"):
        return "title"
    if "." in name:
        return "dotted"
    if re.search(r"[a-z][A-Z]", name):
        return "camel"
    return "snake"


def build_domain(dom: Domain) -> dict:
    archetypes = [build_archetype(dom, ent, act, spec) for ent in dom.entities for act, spec in ent.acts.items()]
    return {"domain": dom.name, "group": split_bucket(f"domain:{dom.name}"), "archetypes": archetypes}


def bfcl_names() -> set[str]:
    from toolgym.data.decontam import bfcl_function_names, normalize_name
    return {normalize_name(n) for n in bfcl_function_names()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "toolgym" / "data" / "catalog")
    parser.add_argument("--check-bfcl", action="store_true", help="fail on a name that BFCL also uses")
    args = parser.parse_args()
    files = {d.name: build_domain(d) for d in DOMAINS}
    names = [a["name"] for f in files.values() for a in f["archetypes"]]
    dupes = sorted({n for n in names if [m.lower() for m in names].count(n.lower()) > 1})
    if dupes:
        raise SystemExit(f"duplicate names: {dupes}")
    if args.check_bfcl:
        from toolgym.data.decontam import normalize_name
        clash = sorted(n for n in names if normalize_name(n) in bfcl_names())
        if clash:
            raise SystemExit(f"names also in BFCL: {clash}")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.json"):
        old.unlink()
    (args.out / "_pools.json").write_text(json.dumps(POOLS, indent=1, ensure_ascii=False) + "\n")
    for dname, data in files.items():
        (args.out / f"{dname}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(files)} domains, {len(names)} archetypes to {args.out}")


# ============================================================== domains
# Each block: the domain's own roles, then its entities.

# --- weather -------------------------------------------------------------------------------------
role("units_temp", E("Temperature units.", ["celsius", "fahrenheit", "kelvin"]),
     enum({"celsius": ["Celsius", "degrees Celsius"], "fahrenheit": ["Fahrenheit", "degrees Fahrenheit"],
           "kelvin": ["Kelvin"]}),
     ["in {v}"], ["I read temperatures in {v}."], ["Give temperatures in {v}.", "Use {v}, please."],
     "temperature units", param="units")
role("include_hourly", B("Whether to include an hour-by-hour breakdown."),
     boolean(["with the hourly breakdown", "including hour-by-hour detail"],
             ["without the hourly breakdown", "with daily totals only"]),
     ["{v}"], ["I want it {v}."], ["Show it {v}."], "an hourly flag")
role("severity", E("Minimum alert severity.", ["minor", "moderate", "severe", "extreme"]), enum(),
     ["of {v} severity or worse"], ["Only {v} ones or worse."], ["Only show {v} alerts or worse."], "a severity")
role("pollutant", E("Pollutant to report.", ["pm2_5", "pm10", "ozone", "no2", "so2"]),
     enum({"pm2_5": ["PM2.5", "fine particulate matter"], "pm10": ["PM10"], "ozone": ["ozone"],
           "no2": ["NO2", "nitrogen dioxide"], "so2": ["SO2", "sulfur dioxide"]}),
     ["for {v}"], ["I care about {v}."], ["Focus on {v}.", "Report {v} levels."], "a pollutant")
role("pollen_type", E("Pollen type.", ["tree", "grass", "weed", "mold"]), enum(),
     ["for {v} pollen"], ["I'm allergic to {v} pollen."], ["Only {v} pollen, please."], "a pollen type")
role("alert_frequency", E("How often to send updates.", ["hourly", "daily", "weekly"]), enum(),
     ["sent {v}"], ["I want updates {v}."], ["Send updates {v}."], "an update frequency", param="frequency")
role("subscription_id", S("Subscription identifier."), pattern("SUB-######"), ["with ID {v}", "{v}"],
     ["The subscription ID is {v}."], ["It's subscription {v}."], "a subscription ID")
role("cities", A("City names.", {"type": "string"}), listof(pool("cities"), 2, 3), ["for {v}", "in {v}"],
     ["The cities are {v}."], ["Include {v}."], "a list of cities")
W = {"condition": "$choice:sunny|partly cloudy|overcast|light rain|thunderstorms|snow|windy",
     "high": "$num:-5:36:1", "low": "$num:-12:24:1", "precipitation_chance": "$int:0:100"}
domain(
    "weather", "weather",
    Ent("weather forecast", {"get": "city days units_temp? include_hourly?"}, W, stem="weather_outlook"),
    Ent("weather history", {"get": "city date units_temp?"}, W),
    Ent("weather alert", {"list": "city severity? limit?"},
        {"event": "$choice:flood watch|heat advisory|winter storm warning|high wind warning",
         "severity": "$choice:minor|moderate|severe", "expires": "$date"}),
    Ent("air quality index", {"get": "city pollutant?"},
        {"aqi": "$int:5:240", "category": "$choice:good|moderate|unhealthy for sensitive groups|unhealthy"},
        stem="air_quality_reading"),
    Ent("UV index", {"get": "city date"}, {"uv_index": "$int:0:11", "peak_hour": "$choice:12:00|13:00|14:00"}),
    Ent("pollen count", {"get": "city pollen_type?"}, {"level": "$choice:low|moderate|high|very high",
                                                        "grains_per_m3": "$int:3:900"}),
    Ent("sunrise and sunset times", {"get": "city date"}, {"sunrise": "$choice:05:48|06:12|06:55|07:21",
                                                           "sunset": "$choice:17:02|18:40|19:55|21:10"},
        stem="sun_times", are=True),
    Ent("weather subscription", {"create": "city email alert_frequency", "cancel": "subscription_id"},
        {"status": "active"}),
    Ent("weather comparison", {"get": "cities date units_temp?"},
        {"warmest": "$choice:first|second|third", "spread": "$num:0:15:1"}, stem="weather_comparison"),
)

# --- finance (markets) ---------------------------------------------------------------------------
role("ticker", S("Stock ticker symbol, e.g. AAPL."), pool("tickers"), ["for {v}", "of {v}"],
     ["I'm looking at {v} stock.", "The stock is {v}."], ["The stock is {v}."], "a ticker symbol")
role("tickers", A("Ticker symbols.", {"type": "string"}), listof(pool("tickers"), 2, 3), ["for {v}"],
     ["The stocks are {v}."], ["Include {v}."], "a list of ticker symbols")
role("interval", E("Bar interval.", ["1d", "1wk", "1mo"]),
     enum({"1d": ["daily bars", "daily"], "1wk": ["weekly bars", "weekly"], "1mo": ["monthly bars", "monthly"]}),
     ["as {v}"], ["Use {v}."], ["Use {v}.", "Break it into {v}."], "a bar interval")
role("fiscal_year", I("Fiscal year.", minimum=2015, maximum=2026), ints(2018, 2025), ["for fiscal year {v}",
     "for FY {v}"], ["It's fiscal year {v}."], ["Use fiscal year {v}."], "a fiscal year")
role("fiscal_quarter", E("Fiscal quarter.", ["Q1", "Q2", "Q3", "Q4"]),
     enum({"Q1": ["Q1", "the first quarter"], "Q2": ["Q2", "the second quarter"], "Q3": ["Q3", "the third quarter"],
           "Q4": ["Q4", "the fourth quarter"]}),
     ["in {v}"], ["It's {v}."], ["Only {v}."], "a fiscal quarter", param="quarter")
role("years", I("How many years back to cover.", minimum=1, maximum=20), ints(1, 10, ["year", "years"], True),
     ["for the last {v}", "over the past {v}"], ["Go back {v}."], ["Go back {v}."], "a number of years")
role("watchlist_name", S("Name of the watchlist."), {"kind": "choice", "values":
     words("Tech Picks|Dividend Income|Long Term|Speculative|Retirement")}, ["to my {v} watchlist",
     "to the {v} list"], ["My watchlist is called {v}."], ["Use the {v} watchlist."], "a watchlist name")
role("target_price", N("Price that triggers the alert, in US dollars.", minimum=0), nums(10, 900, 2, None, "$"),
     ["at {v}"], ["My target is {v}."], ["Trigger at {v}."], "a target price")
role("direction", E("Trigger when the price moves above or below the target.", ["above", "below"]),
     enum({"above": ["rises above", "goes above"], "below": ["drops below", "falls below"]}),
     ["when it {v} the target"], ["Alert me when it {v} the target."], ["Alert me when it {v} the target."],
     "a direction")
role("sector", E("Market sector.", ["technology", "healthcare", "energy", "financials", "consumer", "industrials"]),
     enum(), ["in the {v} sector"], ["I'm interested in {v}."], ["Only the {v} sector."], "a sector")
role("min_market_cap", N("Minimum market capitalization in billions of US dollars.", minimum=0),
     nums(1, 500, 0, "billion", "$"), ["worth at least {v}"], ["They should be worth over {v}."],
     ["Only companies worth at least {v}."], "a minimum market cap")
role("holding", O("A position: ticker and number of shares.", {"ticker": S("Ticker symbol."),
                                                               "shares": I("Number of shares.")}),
     obj({"ticker": pool("tickers"), "shares": ints(1, 500, ["share", "shares"])},
         ["{shares} of {ticker}", "{ticker}, {shares}"]),
     ["for {v}"], ["I hold {v}."], ["My position is {v}."], "a holding")
Q = {"price": "$num:5:900:2", "change_percent": "$num:-6:6:2", "volume": "$int:100000:90000000"}
domain(
    "finance", "finance",
    Ent("stock quote", {"get": "ticker"}, Q),
    Ent("stock price history", {"get": "ticker start_date end_date interval?"},
        {"open": "$num:5:900:2", "close": "$num:5:900:2", "bars": "$int:5:250"}),
    Ent("stock news article", {"list": "ticker limit? sort_order?"},
        {"headline": "$choice:Shares climb after earnings beat|Analysts cut target|New product unveiled",
         "published": "$date"}),
    Ent("earnings report", {"get": "ticker fiscal_quarter fiscal_year"},
        {"revenue_billion": "$num:1:120:2", "eps": "$num:-1:9:2"}),
    Ent("dividend history", {"get": "ticker years?"}, {"annual_yield_percent": "$num:0:6:2",
                                                       "payments": "$int:0:40"}),
    Ent("watchlist entry", {"add": "tickers watchlist_name"}, stem="watchlist_entry"),
    Ent("price alert", {"create": "ticker target_price direction", "cancel": "ticker"}),
    Ent("stock", {"search": "sector min_market_cap? limit?"},
        {"ticker": "$choice:AAPL|MSFT|PFE|KO", "market_cap_billion": "$num:1:3000:1"}, plural="stocks"),
    Ent("position value", {"calculate": "holding"}, {"market_value": "$num:50:90000:2"}),
)


# --- flights -------------------------------------------------------------------------------------
role("origin", S("Departure airport IATA code."), pool("airports"), ["from {v}"],
     ["I'm flying out of {v}.", "I'll depart from {v}."], ["Depart from {v}."], "an origin airport")
role("destination", S("Arrival airport IATA code."), differs(pool("airports"), "origin"), ["to {v}"],
     ["I'm heading to {v}.", "My destination is {v}."], ["Fly into {v}."], "a destination airport")
role("departure_date", S("Departure date" + DATE_DESC), date(), ["on {v}", "departing {v}"],
     ["I leave on {v}.", "Departure is {v}."], ["Leave on {v}."], "a departure date")
role("return_date", S("Return date" + DATE_DESC), date("2026-01-01", "2026-12-31"), ["returning {v}"],
     ["I come back on {v}."], ["I'll return on {v}.", "Return on {v}."], "a return date")
role("passengers", I("Number of passengers.", minimum=1, maximum=9), ints(1, 6, ["passenger", "passengers"], True),
     ["for {v}"], ["There are {v}."], ["It's for {v}."], "a passenger count")
role("cabin_class", E("Cabin class.", ["economy", "premium_economy", "business", "first"]), enum(),
     ["in {v}"], ["I fly {v}."], ["Book {v} class.", "We want {v} seats."], "a cabin class")
role("nonstop_only", B("Only show nonstop flights."),
     boolean(["nonstop flights only", "with no layovers"], ["connections are fine", "layovers allowed"]),
     ["{v}"], ["I want {v}."], ["Note: {v}."], "a nonstop filter")
role("flight_number", S("Flight number."), pattern("??###"), ["{v}", "number {v}"],
     ["My flight is {v}.", "It's flight {v}."], ["The flight is {v}."], "a flight number")
idrole("booking_ref", "Booking", "BK-??####", "booking_id")
role("seat", S("Seat, row and letter."), pattern("##?"), ["to seat {v}", "to {v}"],
     ["I'd like seat {v}."], ["Put me in seat {v}."], "a seat")
role("meal", E("Meal preference.", ["vegetarian", "vegan", "kosher", "halal", "gluten_free"]), enum(),
     ["with a {v} meal"], ["I need a {v} meal."], ["I'd like a {v} meal."], "a meal preference")
role("bags", I("Number of checked bags.", minimum=0, maximum=4), ints(1, 4, ["bag", "bags"], True),
     ["for {v}"], ["I'm checking {v}."], ["Add {v}."], "a bag count")
F = {"flight": "$id:??###", "airline": "$choice:SkyBridge Air|Aurora Airlines|Summit Jet",
     "price": "$num:60:1800:2", "stops": "$int:0:2"}
domain(
    "flights", "flights",
    Ent("flight", {"search": "origin destination departure_date passengers? cabin_class? nonstop_only?",
                   "book": "origin destination departure_date return_date passengers cabin_class?"}, F),
    Ent("flight status", {"get": "flight_number date"}, {"status": "$choice:on time|delayed|boarding|landed",
                                                         "gate": "$id:?##"}),
    Ent("flight booking", {"cancel": "booking_ref", "get": "booking_ref"}, {"status": "confirmed"},
        stem="flight_booking"),
    Ent("seat assignment", {"update": "booking_ref seat"}),
    Ent("meal preference", {"set": "booking_ref meal"}),
    Ent("checked bag", {"add": "booking_ref bags"}),
    Ent("fare calendar", {"get": "origin destination start_date end_date"},
        {"cheapest_date": "$date", "cheapest_price": "$num:40:900:2"}),
    Ent("boarding pass", {"get": "booking_ref"}, {"gate": "$id:?##", "boarding_time": "$choice:07:40|13:15"}),
    Ent("price drop alert", {"create": "origin destination departure_date email"}, stem="fare_alert"),
)

# --- hotels --------------------------------------------------------------------------------------
role("check_in", S("Check-in date" + DATE_DESC), date("2025-03-01", "2025-12-20"),
     ["checking in {v}", "from {v}"], ["We arrive on {v}."], ["Check in on {v}."], "a check-in date")
role("nights", I("Number of nights.", minimum=1, maximum=30), ints(1, 14, ["night", "nights"], True),
     ["for {v}"], ["We're staying {v}."], ["Stay {v}."], "a number of nights")
role("guests", I("Number of guests.", minimum=1, maximum=10), ints(1, 6, ["guest", "guests"], True),
     ["for {v}"], ["We are {v}."], ["It's for {v}."], "a guest count")
role("hotel_name", S("Hotel name."), pool("hotels"), ["at {v}", "at the {v}"], ["The hotel is {v}."],
     ["Pick {v}."], "a hotel name", param="hotel")
role("min_stars", I("Minimum star rating.", minimum=1, maximum=5), ints(2, 5, ["star", "stars"], True),
     ["with at least {v}"], ["It must have at least {v}."], ["At least {v}, please."], "a minimum star rating")
role("amenities", A("Required amenities.", {"type": "string", "enum": ["pool", "gym", "parking", "wifi",
                                                                       "spa", "breakfast", "pet_friendly"]}),
     listof(enum({"pet_friendly": ["pet-friendly rooms"], "wifi": ["wifi", "Wi-Fi"]}), 1, 3),
     ["with {v}"], ["We need {v}."], ["It should have {v}.", "Must include {v}."], "amenities")
role("room_type", E("Room type.", ["single", "double", "twin", "suite", "family"]), enum(),
     ["in a {v} room"], ["We want a {v} room."], ["Make it a {v} room."], "a room type")
idrole("reservation_id", "Reservation", "RSV-######")
role("rating", I("Rating from 1 to 5.", minimum=1, maximum=5), ints(1, 5, ["star", "stars"], True),
     ["with {v}"], ["I'd give it {v}."], ["Give it {v}."], "a rating")
role("review_text", S("Review text."), {"kind": "choice", "quote": True, "values": words(
    "Great location and friendly staff|Room was smaller than expected|Spotless and quiet|"
    "Breakfast could be better|Would stay again")}, ["saying {v}"], ["My review: {v}."],
     ["Add the comment {v}."], "a review text", param="review")
H = {"hotel": "$choice:Harbor View Inn|The Linden Hotel|Parkside Plaza", "price_per_night": "$num:45:600:2",
     "stars": "$int:2:5"}
domain(
    "hotels", "hotels",
    Ent("hotel", {"search": "city check_in nights guests? min_stars? amenities? price_range?"}, H),
    Ent("hotel room", {"book": "hotel_name check_in nights guests room_type?"}, H, stem="hotel_room"),
    Ent("hotel reservation", {"get": "reservation_id", "cancel": "reservation_id",
                              "update": "reservation_id check_in nights"}, {"status": "confirmed"}),
    Ent("room availability", {"check": "hotel_name check_in nights"}, {"available_rooms": "$int:0:12"}),
    Ent("hotel review", {"submit": "hotel_name rating review_text?", "list": "hotel_name limit? sort_order?"},
        {"rating": "$int:1:5", "text": "$choice:Lovely stay|Too noisy|Great breakfast"}),
    Ent("late checkout", {"schedule": "reservation_id time"}),
)

# --- car rental ----------------------------------------------------------------------------------
role("pickup_date", S("Pick-up date" + DATE_DESC), date("2025-02-01", "2025-12-31"), ["from {v}", "picking up {v}"],
     ["I pick it up on {v}."], ["Pick up on {v}."], "a pick-up date")
role("dropoff_date", S("Drop-off date" + DATE_DESC), date("2026-01-01", "2026-06-30"),
     ["until {v}", "returning it {v}"], ["I return it on {v}."], ["Drop it off on {v}."], "a drop-off date")
role("car_class", E("Car class.", ["economy", "compact", "midsize", "suv", "van", "luxury"]),
     enum({"suv": ["SUV"]}), ["in the {v} class"], ["I want a {v} car."], ["Make it a {v} car."], "a car class")
role("driver_age", I("Age of the main driver in years.", minimum=18, maximum=99), ints(19, 80, "years old"),
     ["for a driver {v}"], ["The driver is {v}."], ["The driver is {v}."], "a driver age")
role("add_insurance", B("Add full collision insurance."),
     boolean(["with full insurance", "including collision coverage"], ["with no extra insurance",
                                                                      "skipping the collision coverage"]),
     ["{v}"], ["I want it {v}."], ["Book it {v}."], "an insurance flag")
idrole("rental_id", "Rental", "CAR-#####")
R = {"car": "$choice:Toyota Corolla|Kia Sportage|VW Golf|Ford Transit", "daily_rate": "$num:19:180:2"}
domain(
    "car_rental", "car_rental",
    Ent("rental car", {"search": "city pickup_date dropoff_date car_class? driver_age?",
                       "book": "city pickup_date dropoff_date car_class add_insurance?"}, R),
    Ent("car rental booking", {"cancel": "rental_id", "get": "rental_id", "update": "rental_id dropoff_date"},
        {"status": "confirmed"}, stem="car_rental"),
    Ent("rental quote", {"get": "city car_class nights"}, {"total": "$num:60:2400:2"}),
    Ent("additional driver", {"add": "rental_id contact_name driver_age"}),
)

# --- maps and navigation -------------------------------------------------------------------------
role("start_place", S("Starting point: address, landmark or city."), pool("landmarks"), ["from {v}"],
     ["I'm starting at {v}.", "I'm at {v} right now."], ["Start from {v}."], "a starting point", param="origin")
role("end_place", S("Destination: address, landmark or city."), pool("cities"), ["to {v}"],
     ["I need to get to {v}.", "My destination is {v}."], ["End at {v}."], "a destination",
     param="destination")
role("travel_mode", E("Mode of travel.", ["driving", "walking", "cycling", "transit"]),
     enum({"driving": ["by car", "driving"], "walking": ["on foot", "walking"], "cycling": ["by bike", "cycling"],
           "transit": ["by public transit", "on transit"]}), ["{v}"], ["I'm going {v}."], ["I'll be going {v}."],
     "a travel mode", param="mode")
role("avoid", A("Road features to avoid.", {"type": "string", "enum": ["tolls", "highways", "ferries"]}),
     listof(enum(), 1, 2), ["avoiding {v}"], ["Please avoid {v}."], ["Avoid {v}.", "Stay off {v}."], "features to avoid")
role("radius_km", N("Search radius in kilometers.", minimum=0.1), nums(0.5, 25, 1, "km"), ["within {v}"],
     ["Stay within {v}."], ["Keep it within {v}.", "Search within {v}."], "a search radius")
role("place_category", E("Kind of place.", ["restaurant", "gas_station", "pharmacy", "atm", "parking",
                                             "supermarket", "hospital", "cafe"]),
     enum({"gas_station": ["gas station"], "atm": ["ATM", "cash machine"]}), ["for a {v}"],
     ["I need a {v}."], ["I'm after a {v}."], "a place category", param="category")
role("landmark", S("Name of the place."), pool("landmarks"), ["for {v}", "of {v}"], ["The place is {v}."],
     ["It's {v}."], "a place name", param="place")
role("zoom", I("Map zoom level from 1 (world) to 20 (building).", minimum=1, maximum=20), ints(3, 18, None),
     ["at zoom level {v}"], ["Use zoom level {v}."], ["Zoom to level {v}."], "a zoom level")
role("map_type", E("Map style.", ["roadmap", "satellite", "terrain", "hybrid"]), enum(), ["as a {v} map"],
     ["I want the {v} view."], ["Use the {v} view."], "a map type")
G = {"distance_km": "$num:0.4:900:1", "duration_min": "$int:3:720"}
domain(
    "maps", "maps",
    Ent("route", {"get": "start_place end_place travel_mode? avoid?"}, {**G, "steps": "$int:3:40"}),
    Ent("travel time", {"estimate": "start_place end_place travel_mode"}, G),
    Ent("nearby place", {"find": "coordinates place_category radius_km? limit?"},
        {"name": "$choice:Corner Pharmacy|Shell Station|Blue Door Cafe", "distance_km": "$num:0.1:5:2"}),
    Ent("place details", {"get": "landmark include_details?"}, {"rating": "$num:3:5:1", "open_now": "$bool"},
        stem="place_details", are=True),
    Ent("address coordinates", {"get": "address"}, {"latitude": "$num:-60:70:4", "longitude": "$num:-170:170:4"},
        stem="address_coordinates", are=True),
    Ent("static map image", {"generate": "coordinates zoom map_type?"}, stem="map_image"),
    Ent("saved place", {"add": "landmark tags?", "list": "tag_filter limit?",
                        "delete": "landmark"}),
    Ent("traffic conditions", {"get": "city"}, {"congestion": "$choice:light|moderate|heavy",
                                               "incidents": "$int:0:14"}, stem="traffic_conditions", are=True),
)

# --- ride hailing --------------------------------------------------------------------------------
role("pickup_address", O("Pick-up address.", {"street": S("Street and number."), "city": S("City.")}),
     obj({"street": pool("streets"), "city": pool("cities")}, ["{street}, {city}", "{street} in {city}"]),
     ["from {v}"], ["Pick me up at {v}."], ["Pick me up at {v}."], "a pick-up address", param="pickup")
role("dropoff_place", S("Drop-off place."), pool("landmarks"), ["to {v}"], ["I'm going to {v}."],
     ["Drop me at {v}."], "a drop-off place", param="dropoff")
role("ride_type", E("Ride type.", ["standard", "xl", "comfort", "shared", "premium"]),
     enum({"xl": ["XL", "an XL"]}), ["as a {v} ride"], ["A {v} ride is fine."], ["Make it a {v} ride."],
     "a ride type")
role("seats", I("Number of seats needed.", minimum=1, maximum=6), ints(1, 6, ["seat", "seats"], True),
     ["for {v}"], ["We need {v}."], ["We need {v}."], "a seat count")
idrole("ride_id", "Ride", "RIDE-######")
role("tip_amount", N("Tip in US dollars.", minimum=0), nums(1, 30, 2, None, "$"), ["of {v}"],
     ["I want to tip {v}."], ["Add a tip of {v}."], "a tip amount", param="tip")
domain(
    "rideshare", "rides",
    Ent("ride", {"book": "pickup_address dropoff_place ride_type? seats?", "cancel": "ride_id",
                 "track": "ride_id"}, {"driver": "$choice:Ana|Marcus|Lin", "eta_min": "$int:2:25"}),
    Ent("fare estimate", {"get": "pickup_address dropoff_place ride_type?"}, {"low": "$num:6:40:2",
                                                                             "high": "$num:41:90:2"}),
    Ent("driver tip", {"send": "ride_id tip_amount"}, stem="tip"),
    Ent("ride receipt", {"get": "ride_id"}, {"total": "$num:5:120:2"}),
    Ent("scheduled ride", {"schedule": "pickup_address dropoff_place date time ride_type?"}),
)

# --- public transit ------------------------------------------------------------------------------
role("station", S("Station or stop name."), pool("stations"), ["at {v}", "from {v}"],
     ["I'm at {v}.", "My stop is {v}."], ["Use the {v} stop."], "a station")
role("to_station", S("Destination station."), differs(pool("stations"), "station"), ["to {v}"], ["I'm going to {v}."],
     ["Go to {v}."], "a destination station")
role("line", S("Transit line."), pool("transit_lines"), ["on the {v}", "for the {v}"], ["I take the {v}."],
     ["Only the {v}."], "a transit line")
role("departure_time", S("Desired departure time, 24-hour HH:MM."), {"kind": "time"}, ["leaving at {v}"],
     ["I want to leave at {v}."], ["Leave at {v}."], "a departure time")
role("fare_type", E("Fare category.", ["adult", "child", "senior", "student"]), enum(), ["at the {v} rate"],
     ["I pay the {v} fare."], ["Use the {v} fare."], "a fare type")
role("wheelchair", B("Only step-free, wheelchair-accessible routes."),
     boolean(["with step-free access only", "wheelchair accessible"], ["with any access", "stairs are fine"]),
     ["{v}"], ["It has to be {v}."], ["Note it must be {v}."], "an accessibility flag")
TR = {"departures": "$int:1:12", "next": "$choice:3 min|7 min|12 min", "platform": "$int:1:9"}
domain(
    "transit", "transit",
    Ent("departure board", {"get": "station line? limit?"}, TR, stem="departures", are=True),
    Ent("trip plan", {"get": "station to_station departure_time? wheelchair?"}, {"duration_min": "$int:6:90",
                                                                                 "transfers": "$int:0:3"}),
    Ent("service alert", {"list": "line"}, {"message": "$choice:Delays due to signal works|Stop closed"}),
    Ent("transit fare", {"calculate": "station to_station fare_type?"}, {"fare": "$num:1:9:2"}),
    Ent("transit pass", {"renew": "email fare_type", "get": "email"}, {"valid_until": "$date"}),
    Ent("line schedule", {"get": "line date"}, {"first": "05:30", "last": "00:45"}),
)



# --- e-commerce ----------------------------------------------------------------------------------
role("product", S("Product name or keywords."), pool("products"), ["for {v}", "for a {v}"],
     ["I want a {v}.", "I'm shopping for a {v}."], ["It's the {v}."], "a product")
role("quantity", I("Number of units.", minimum=1, maximum=20), ints(1, 8, ["unit", "units"], True), ["x {v}", "({v})"],
     ["I need {v}."], ["Make it {v}."], "a quantity")
role("size", S("Clothing size."), pool("sizes"), ["in size {v}"], ["I wear size {v}."], ["Size {v}, please."],
     "a size")
idrole("order_id", "Order", "ORD-######")
role("sku", S("Product SKU."), pool("skus"), ["{v}", "with SKU {v}"], ["The SKU is {v}."], ["The SKU is {v}."],
     "a SKU")
role("coupon_code", S("Coupon code."), pattern("SAVE##??"), ["with code {v}", "using coupon {v}"],
     ["I have the coupon {v}."], ["Apply the code {v}."], "a coupon code")
role("return_reason", E("Why the item is returned.", ["damaged", "wrong_item", "too_small", "too_large",
                                                      "changed_mind"]),
     enum({"wrong_item": ["wrong item", "I got the wrong item"], "changed_mind": ["changed my mind"],
           "too_small": ["too small"], "too_large": ["too large", "too big"]}), ["because it's {v}", "as {v}"],
     ["The reason is {v}."], ["The reason: {v}."], "a return reason", param="reason")
role("in_stock_only", B("Only show items that are in stock."),
     boolean(["only items in stock", "in-stock items only"], ["including out-of-stock items",
                                                              "even if sold out"]), ["{v}"], ["Show {v}."],
     ["Show {v}."], "a stock filter")
role("shipping_speed", E("Shipping speed.", ["standard", "express", "overnight"]), enum(), ["with {v} shipping"],
     ["I want {v} shipping."], ["Use {v} shipping."], "a shipping speed")
P = {"name": "$choice:AeroFit Running Shoes|Nimbus Desk Lamp|Pulse Earbuds", "price": "$num:8:900:2",
     "rating": "$num:2.5:5:1"}
domain(
    "ecommerce", "shop",
    Ent("product", {"search": "product price_range? in_stock_only? sort_order?", "get": "sku"}, P),
    Ent("cart item", {"add": "sku quantity size?", "delete": "sku", "update": "sku quantity"}),
    Ent("order", {"order": "sku quantity address shipping_speed? coupon_code?", "track": "order_id",
                  "cancel": "order_id", "get": "order_id"}, {"status": "$choice:processing|shipped|delivered"}),
    Ent("return request", {"submit": "order_id sku return_reason"}),
    Ent("product review", {"list": "sku limit? sort_order?"}, {"stars": "$int:1:5",
                                                               "text": "$choice:Works great|Broke in a week"}),
    Ent("coupon", {"validate": "coupon_code sku"}, {"valid": "$bool", "discount_percent": "$int:5:40"}),
    Ent("price history", {"get": "sku date_range"}, {"lowest": "$num:5:500:2", "highest": "$num:20:900:2"}),
    Ent("wishlist item", {"add": "sku", "delete": "sku"}),
)

# --- food delivery -------------------------------------------------------------------------------
role("restaurant", S("Restaurant name."), pool("restaurants"), ["from {v}", "at {v}"], ["I'm ordering from {v}."],
     ["Order from {v}."], "a restaurant")
role("dishes", A("Dishes to order.", {"type": "string"}), listof(pool("dishes"), 1, 3), ["with {v}"],
     ["I'd like {v}."], ["Add {v}."], "a list of dishes", param="items")
role("cuisine", S("Cuisine type."), pool("cuisines"), ["serving {v} food", "for {v} food"],
     ["I'm craving {v} food."], ["Only {v} places."], "a cuisine")
role("max_delivery_minutes", I("Longest acceptable delivery time in minutes.", minimum=10),
     ints(15, 60, "minutes", step=5), ["delivering within {v}"], ["I can wait at most {v}."],
     ["Delivery within {v}, please."], "a delivery time limit")
role("contactless", B("Leave the order at the door."),
     boolean(["with contactless drop-off", "leaving it at the door"], ["handed to me in person",
                                                                       "with hand-to-hand delivery"]),
     ["{v}"], ["Deliver it {v}."], ["Deliver it {v}."], "a contactless flag")
role("delivery_instructions", S("Instructions for the courier."), {"kind": "choice", "quote": True, "values":
     words("Ring the bell twice|Leave it with the doorman|Call when outside|Use the side gate")},
     ["with the instructions {v}"], ["Tell the courier {v}."], ["Tell the courier {v}."], "courier instructions",
     param="instructions")
domain(
    "food_delivery", "food",
    Ent("delivery order", {"order": "restaurant dishes address contactless? delivery_instructions?",
                           "track": "order_id", "cancel": "order_id"}, {"eta_min": "$int:10:60"}),
    Ent("delivery restaurant", {"search": "city cuisine max_delivery_minutes? price_range?"},
        {"name": "$choice:Spice Route|Sakura House", "eta_min": "$int:15:55"}),
    Ent("restaurant menu", {"get": "restaurant"}, {"items": "$int:8:80", "popular": "$choice:ramen|paella"}),
    Ent("delivery fee", {"estimate": "restaurant address"}, {"fee": "$num:0:9:2"}),
    Ent("courier rating", {"submit": "order_id rating"}),
)

# --- restaurants ---------------------------------------------------------------------------------
role("party_size", I("Number of diners.", minimum=1, maximum=20), ints(1, 10, ["person", "people"], True),
     ["for {v}"], ["We are {v}."], ["It's for {v}."], "a party size")
role("seating", E("Seating preference.", ["indoor", "outdoor", "bar", "private_room"]),
     enum({"private_room": ["a private room"]}), ["with {v} seating"], ["We'd like {v} seating."],
     ["We'd prefer {v} seating."], "a seating preference")
role("dining_restaurant", S("Restaurant name."), pool("restaurants"), ["at {v}"],
     ["We'd like to eat at {v}.", "The restaurant is {v}."], ["Make it at {v}."], "a restaurant",
     param="restaurant")
role("dietary", A("Dietary requirements.", {"type": "string", "enum": ["vegetarian", "vegan", "gluten_free",
                                                                      "nut_free", "dairy_free"]}),
     listof(enum(), 1, 2), ["that handles {v}"], ["We need {v} options."], ["We need {v} options."],
     "dietary needs")
domain(
    "restaurants", "dining",
    Ent("restaurant", {"search": "city cuisine party_size? dietary?", "recommend": "city cuisine"},
        {"name": "$choice:Trattoria Lucia|Golden Lotus|Casa Mia", "rating": "$num:3:5:1"}),
    Ent("table reservation", {"book": "dining_restaurant date time party_size seating?", "cancel": "reservation_id",
                              "update": "reservation_id time party_size"}),
    Ent("opening hours", {"get": "dining_restaurant date"}, {"open": "11:30", "close": "23:00"}, are=True),
    Ent("waitlist spot", {"add": "dining_restaurant party_size phone"}, {"position": "$int:1:15"}),
    Ent("bill split", {"calculate": "amount_usd party_size"}, {"per_person": "$num:5:300:2"}),
)

# --- recipes and cooking -------------------------------------------------------------------------
role("ingredients", A("Ingredients on hand.", {"type": "string"}), listof(pool("ingredients"), 2, 4), ["with {v}"],
     ["I have {v}."], ["Use {v}."], "a list of ingredients")
role("recipe_cuisine", S("Cuisine type."), pool("cuisines"), ["in {v} style"], ["I'm cooking {v} tonight."],
     ["Make it a {v} dish.", "Keep it {v} style."], "a cuisine", param="cuisine")
role("dish", S("Dish name."), pool("dishes"), ["for {v}"], ["I'm making {v}."], ["It's {v}."], "a dish")
role("servings", I("Number of servings.", minimum=1, maximum=24), ints(1, 12, ["serving", "servings"], True),
     ["for {v}"], ["I need {v}."], ["Scale it to {v}."], "a serving count")
role("max_minutes", I("Maximum total time in minutes.", minimum=5), ints(10, 120, "minutes", step=5),
     ["ready in under {v}"], ["I have {v} at most."], ["Keep it under {v}."], "a time limit")
role("difficulty", E("Difficulty level.", ["easy", "medium", "hard"]), enum(), ["that are {v}"],
     ["Something {v}."], ["Keep it {v}."], "a difficulty")
role("from_unit_cook", E("Unit to convert from.", ["cups", "tablespoons", "teaspoons", "grams", "ounces", "ml"]),
     enum({"ml": ["ml", "milliliters"]}), ["from {v}"], ["It's measured in {v}."], ["It's in {v}."],
     "a source unit", param="from_unit")
role("to_unit_cook", E("Unit to convert to.", ["cups", "tablespoons", "teaspoons", "grams", "ounces", "ml"]),
     differs(enum({"ml": ["ml", "milliliters"]}), "from_unit"), ["to {v}"], ["I want it in {v}."], ["Give it in {v}."],
     "a target unit", param="to_unit")
role("cook_amount", N("Amount to convert.", minimum=0), nums(0.5, 12, 1), ["{v}"], ["I have {v} of it."],
     ["The amount is {v}."], "an amount", param="amount")
domain(
    "recipes", "recipes",
    Ent("recipe", {"search": "ingredients recipe_cuisine? max_minutes? difficulty?", "get": "dish servings?"},
        {"title": "$choice:Lemon Chickpea Stew|Ginger Tofu Bowl", "minutes": "$int:10:120"},
        names={"get": "get_recipe_card"}),
    Ent("shopping list", {"generate": "dish servings"}, {"items": "$int:4:18"}),
    Ent("ingredient substitute", {"find": "ingredients dietary?"},
        {"substitute": "$choice:flax egg|oat milk|tamari"}),
    Ent("cooking measurement", {"convert": "cook_amount from_unit_cook to_unit_cook"}, {"result": "$num:0.1:500:2"},
        templates={"convert": [
            "Convert {amount} {from_unit} to {to_unit}.",
            "How many {to_unit} is {amount} {from_unit}?",
            "Can you turn {amount} {from_unit} into {to_unit}?",
            "The recipe says {amount} {from_unit}. What is that in {to_unit}?",
            "I need {amount} {from_unit} expressed in {to_unit}.",
            "Please convert {amount} {from_unit} of flour into {to_unit}.",
            "My scale only shows {to_unit}. The recipe wants {amount} {from_unit}; how much is that?",
            "Quick kitchen math: {amount} {from_unit} in {to_unit}, please."]}),
    Ent("meal plan", {"generate": "start_date days dietary?"}, {"meals": "$int:3:42"}),
    Ent("cooking timer", {"start": "dish max_minutes"}, stem="kitchen_timer"),
)



# --- grocery -------------------------------------------------------------------------------------
role("grocery_items", A("Grocery items.", {"type": "string"}), listof(pool("groceries"), 2, 4), ["with {v}", "for {v}"],
     ["I need {v}."], ["Also add {v}."], "a list of grocery items", param="items")
role("store_city", S("City of the store."), pool("cities"), ["at the {v} store", "in {v}"],
     ["My store is in {v}."], ["Use the {v} store."], "a store city")
role("delivery_window", O("Delivery time window.", {"start_time": S("Start, HH:MM."), "end_time": S("End, HH:MM.")}),
     obj({"start_time": {"kind": "time", "min_hour": 8, "max_hour": 12},
          "end_time": {"kind": "time", "min_hour": 13, "max_hour": 20}},
         ["between {start_time} and {end_time}", "from {start_time} to {end_time}"]),
     ["delivered {v}"], ["Deliver it {v}."], ["Deliver it {v}."], "a delivery window")
domain(
    "grocery", "grocery",
    Ent("grocery list", {"create": "grocery_items", "update": "grocery_items", "share": "email"}),
    Ent("grocery delivery", {"schedule": "grocery_items address date delivery_window?"}),
    Ent("item price", {"compare": "grocery_items store_city"}, {"cheapest_store": "$choice:FreshMart|GreenGrocer"},
        stem="grocery_prices"),
    Ent("store stock level", {"check": "grocery_items store_city"}, {"in_stock": "$bool"}),
    Ent("weekly flyer deal", {"list": "store_city limit?"}, {"item": "$choice:apples|coffee beans",
                                                             "discount_percent": "$int:5:50"}),
)

# --- fitness -------------------------------------------------------------------------------------
role("exercise", S("Activity type."), pool("exercises"), ["for {v}", "of {v}"], ["I did some {v}."],
     ["The activity was {v}."], "an activity", param="activity")
role("duration_min", I("Duration in minutes.", minimum=1, maximum=600), ints(10, 180, "minutes", step=5),
     ["for {v}", "lasting {v}"], ["It lasted {v}."], ["It lasted {v}."], "a duration", param="duration_minutes")
role("distance_km", N("Distance in kilometers.", minimum=0), nums(1, 42, 1, "km"), ["covering {v}"],
     ["I covered {v}."], ["Distance was {v}."], "a distance")
role("weight_kg", N("Body weight in kilograms.", minimum=20, maximum=300), nums(45, 130, 1, "kg"),
     ["at {v}", "weighing {v}"], ["I weigh {v}."], ["My weight is {v}."], "a body weight")
role("height_cm", I("Height in centimeters.", minimum=100, maximum=230), ints(150, 200, "cm"), ["and {v} tall"],
     ["I'm {v} tall."], ["I'm {v} tall."], "a height")
role("heart_rate", I("Average heart rate in beats per minute.", minimum=40, maximum=220), ints(90, 185, "bpm"),
     ["at {v}"], ["My heart rate averaged {v}."], ["Average heart rate was {v}."], "a heart rate")
role("goal_type", E("Fitness goal.", ["lose_weight", "build_muscle", "endurance", "flexibility"]),
     enum({"lose_weight": ["losing weight", "weight loss"], "build_muscle": ["building muscle"],
           "endurance": ["endurance"], "flexibility": ["flexibility"]}), ["focused on {v}"],
     ["My goal is {v}."], ["The goal is {v}."], "a fitness goal", param="goal")
role("weekdays", A("Days of the week.", {"type": "string", "enum": ["monday", "tuesday", "wednesday", "thursday",
                                                                   "friday", "saturday", "sunday"]}),
     listof(enum({d: [d.capitalize() + "s", d.capitalize()] for d in ["monday", "tuesday", "wednesday", "thursday",
                                                                      "friday", "saturday", "sunday"]}), 1, 3),
     ["on {v}"], ["I'm free on {v}."], ["Only on {v}."], "days of the week", param="days")
domain(
    "fitness", "fitness",
    Ent("workout", {"add": "exercise duration_min date distance_km? heart_rate?", "list": "start_date end_date",
                    "delete": "date exercise"}, {"calories": "$int:50:1500"}, stem="workout_log"),
    Ent("calories burned", {"estimate": "exercise duration_min weight_kg"}, {"calories": "$int:40:1600"}, are=True),
    Ent("body mass index", {"calculate": "weight_kg height_cm"}, {"bmi": "$num:16:40:1"}, stem="bmi_score"),
    Ent("training plan", {"generate": "goal_type weekdays duration_min?"}, {"sessions": "$int:2:6"}),
    Ent("step count", {"get": "date"}, {"steps": "$int:800:25000"}),
    Ent("fitness goal", {"set": "goal_type date"}),
    Ent("running pace", {"calculate": "distance_km duration_min"}, {"pace_min_per_km": "$num:3:9:2"}),
)

# --- pharmacy and medications --------------------------------------------------------------------
role("medication", S("Medication name (generic)."), pool("medications"), ["for {v}", "of {v}"],
     ["I take {v}.", "The medicine is {v}."], ["It's {v}."], "a medication")
role("medications", A("Medication names.", {"type": "string"}), listof(pool("medications"), 2, 3), ["between {v}",
     "for {v}"], ["I take {v}."], ["I also take {v}."], "a list of medications")
role("dose_mg", N("Dose in milligrams.", minimum=0), nums(5, 1000, 0, "mg"), ["of {v}", "at {v}"],
     ["The dose is {v}."], ["The dose is {v}."], "a dose")
role("times_per_day", I("Doses per day.", minimum=1, maximum=6), ints(1, 4, ["time a day", "times a day"], True),
     ["{v}"], ["I take it {v}."], ["Take it {v}."], "a daily frequency")
idrole("prescription_id", "Prescription", "RX-#######")
role("pharmacy_city", S("City of the pharmacy."), pool("cities"), ["at my {v} pharmacy", "in {v}"],
     ["My pharmacy is in {v}."], ["Use the pharmacy in {v}."], "a pharmacy location")
domain(
    "pharmacy", "pharmacy",
    Ent("drug interaction", {"check": "medications"}, {"severity": "$choice:none|minor|moderate|major"}),
    Ent("prescription refill", {"order": "prescription_id pharmacy_city", "track": "prescription_id"}),
    Ent("medication reminder", {"create": "medication dose_mg times_per_day", "delete": "medication"}),
    Ent("drug information", {"get": "medication"}, {"class": "$choice:NSAID|antibiotic|statin",
                                                    "common_side_effects": "$int:2:9"}, stem="drug_info"),
    Ent("pharmacy", {"find": "city limit?"}, {"name": "$choice:Corner Pharmacy|CityCare", "open_now": "$bool"}),
    Ent("dosage schedule", {"generate": "medication dose_mg times_per_day start_date"}),
)

# --- medical / symptoms --------------------------------------------------------------------------
role("symptoms", A("Symptoms.", {"type": "string"}), listof(pool("symptoms"), 1, 3), ["with {v}", "for {v}"],
     ["I have {v}.", "I've been dealing with {v}."], ["I also have {v}."], "a list of symptoms")
role("age", I("Age in years.", minimum=0, maximum=120), ints(3, 90, "years old"), ["for someone {v}", "aged {v}"],
     ["I'm {v}."], ["The patient is {v}."], "an age")
role("sick_days", I("How many days the symptoms have lasted.", minimum=1, maximum=60),
     ints(1, 14, ["day", "days"], True), ["for {v}"], ["It's been going on for {v}."],
     ["It has lasted {v}.", "It's been {v} now."], "a duration in days", param="days")
role("specialty", E("Medical specialty.", ["general_practice", "dermatology", "cardiology", "pediatrics",
                                           "orthopedics", "neurology"]),
     enum({"general_practice": ["general practice", "a GP"]}), ["in {v}"], ["I need {v}."],
     ["It should be {v}."], "a specialty")
role("insurance_accepted", B("Only doctors who accept my insurance."),
     boolean(["who take my insurance", "in my insurance network"], ["regardless of insurance",
                                                                    "even out of network"]),
     ["{v}"], ["They should be {v}."], ["Only ones {v}."], "an insurance filter")
idrole("appointment_id", "Appointment", "APT-######")
domain(
    "medical", "medical",
    Ent("symptom assessment", {"analyze": "symptoms age sick_days?"}, {"urgency": "$choice:self-care|see a doctor|urgent"},
        stem="symptoms"),
    Ent("doctor", {"find": "city specialty insurance_accepted?"}, {"name": "$choice:Dr. Patel|Dr. Novak"}),
    Ent("doctor appointment", {"book": "specialty date time contact_name", "cancel": "appointment_id",
                               "update": "appointment_id date time"}),
    Ent("vaccination record", {"get": "contact_name"}, {"up_to_date": "$bool"}),
    Ent("lab result", {"get": "appointment_id include_details?"}, {"status": "$choice:normal|review needed"}),
)

# --- nutrition -----------------------------------------------------------------------------------
role("food", S("Food item."), pool("foods"), ["for {v}", "in {v}"], ["I ate {v}."], ["It's {v}."], "a food")
role("portion_g", I("Portion size in grams.", minimum=1), ints(30, 500, "g", step=10), ["per {v}", "for {v}"],
     ["The portion is {v}."], ["Use a portion of {v}."], "a portion size")
role("meal_type", E("Meal.", ["breakfast", "lunch", "dinner", "snack"]), enum(), ["for {v}"], ["It was {v}."],
     ["Log it as {v}."], "a meal type", param="meal")
role("daily_calories", I("Daily calorie target.", minimum=1000, maximum=5000), ints(1400, 3200, "calories", step=50),
     ["at {v} a day"], ["My target is {v} a day."], ["Aim for {v} a day."], "a calorie target")
role("foods", A("Food items.", {"type": "string"}), listof(pool("foods"), 2, 3), ["for {v}", "of {v}"],
     ["I ate {v}."], ["Also count {v}."], "a list of foods")
role("glasses", I("Glasses of water.", minimum=1, maximum=20), ints(1, 10, ["glass", "glasses"], True),
     ["of {v}"], ["I drank {v}."], ["I drank {v}."], "a glass count")
domain(
    "nutrition", "nutrition",
    Ent("nutrition facts", {"get": "food portion_g?"}, {"calories": "$int:10:900", "protein_g": "$num:0:60:1"},
        are=True),
    Ent("food diary entry", {"add": "food portion_g meal_type date"}, stem="food_log"),
    Ent("macro breakdown", {"calculate": "foods"}, {"carbs_g": "$num:0:300:1", "fat_g": "$num:0:120:1"}),
    Ent("calorie goal", {"set": "daily_calories"}),
    Ent("food comparison", {"compare": "foods portion_g?"}, {"lower_calorie": "$choice:first|second"}),
    Ent("water intake", {"add": "date glasses"}),
)





# --- math ----------------------------------------------------------------------------------------
role("numbers", A("Numbers to work on.", {"type": "number"}), listof(nums(-50, 200, 1), 3, 5), ["of {v}", "for {v}"],
     ["My numbers are {v}."], ["Also include {v}."], "a list of numbers")
role("integers", A("Whole numbers.", {"type": "integer"}), listof(ints(2, 500), 2, 4), ["of {v}", "for {v}"],
     ["The numbers are {v}."], ["Include {v} too."], "a list of integers")
role("n_int", I("A whole number.", minimum=0), ints(2, 5000), ["of {v}", "for {v}"], ["The number is {v}."],
     ["Use {v}."], "an integer", param="n")
role("precision", I("Decimal places in the answer.", minimum=0, maximum=10), ints(0, 6, ["decimal place",
     "decimal places"], True), ["rounded to {v}"], ["Round to {v}."], ["Round to {v}.", "Give {v}."],
     "a precision")
role("side_a", N("First side length.", minimum=0), nums(1, 50, 1), ["with sides {v}"], ["One side is {v}."],
     ["One side is {v}."], "a side length")
role("side_b", N("Second side length.", minimum=0), nums(1, 50, 1), ["and {v}"], ["The other side is {v}."],
     ["The other side is {v}."], "a second side length")
role("expression", S("Arithmetic expression."), {"kind": "choice", "quote": True, "values": words(
    "(3 + 4) * 12|2^10 - 24|sqrt(144) + 7|15 % 4 * 9|(81 / 9) + 3.5|7 * (6 - 2)^2")}, ["{v}"],
     ["The expression is {v}."], ["Evaluate {v}."], "an expression")
role("matrix", A("Matrix rows.", {"type": "array", "items": {"type": "number"}}),
     {"kind": "choice", "values": [{"value": [[1, 2], [3, 4]], "surfaces": ["[[1, 2], [3, 4]]"]},
                                   {"value": [[2, 0], [1, 5]], "surfaces": ["[[2, 0], [1, 5]]"]},
                                   {"value": [[4, 7], [2, 6]], "surfaces": ["[[4, 7], [2, 6]]"]}]},
     ["of {v}", "for the matrix {v}"], ["My matrix is {v}."], ["Use the matrix {v}."], "a matrix")
role("poly_coeffs", A("Polynomial coefficients, highest degree first.", {"type": "number"}),
     listof(ints(-9, 9), 3, 3), ["with coefficients {v}"], ["The coefficients are {v}."],
     ["The coefficients are {v}."], "polynomial coefficients", param="coefficients")
domain(
    "math", "mathx",
    Ent("greatest common divisor", {"calculate": "integers"}, {"result": "$int:1:50"}, stem="gcd_value",
        templates={"calculate": [
            "What is the greatest common divisor of {integers}?", "Find the GCD of {integers}.",
            "Compute the largest number that divides {integers} evenly.",
            "I have the numbers {integers}. What's their greatest common divisor?",
            "Work out the greatest common divisor for {integers}, please.",
            "Can you get me the GCD of {integers}?",
            "Here are some integers: {integers}. I need their highest common factor.",
            "Quick math check: greatest common divisor of {integers}?"]}),
    Ent("expression value", {"calculate": "expression precision?"}, {"result": "$num:-1000:1000:3"},
        stem="expression"),
    Ent("prime factorization", {"get": "n_int"}, {"factors": [2, 3]}),
    Ent("hypotenuse length", {"calculate": "side_a side_b"}, {"result": "$num:1:80:3"}, stem="right_triangle_side"),
    Ent("matrix determinant", {"calculate": "matrix"}, {"result": "$num:-50:50:2"}),
    Ent("matrix inverse", {"calculate": "matrix precision?"}, {"result": [[0.5, 0.1], [0.2, 0.4]]}),
    Ent("polynomial root", {"find": "poly_coeffs"}, {"roots": [1.5, -2.0]}),
    Ent("fibonacci sequence", {"generate": "n_int"}, {"sequence": [0, 1, 1, 2, 3]}, stem="fibonacci_terms"),
    Ent("primality", {"check": "n_int"}, {"is_prime": "$bool"}, stem="prime_status"),
)

# --- statistics ----------------------------------------------------------------------------------
role("confidence", N("Confidence level between 0 and 1.", minimum=0, maximum=1),
     {"kind": "choice", "values": [{"value": 0.9, "surfaces": ["90%", "0.9"]}, {"value": 0.95, "surfaces": ["95%", "0.95"]},
                                   {"value": 0.99, "surfaces": ["99%", "0.99"]}]},
     ["at {v} confidence"], ["Use {v} confidence."], ["Use a {v} confidence level."], "a confidence level")
role("sample_numbers", A("Second sample.", {"type": "number"}), listof(nums(0, 100, 1), 3, 5), ["against {v}"],
     ["The second sample is {v}."], ["Compare with {v}."], "a second sample", param="other")
role("percentile", I("Percentile from 1 to 99.", minimum=1, maximum=99), ints(5, 95, None, step=5),
     ["the {v}th percentile"], ["I want the {v}th percentile."], ["Use the {v}th percentile."], "a percentile")
role("trials", I("Number of trials.", minimum=1), ints(5, 60, "trials"), ["over {v}"], ["There are {v}."],
     ["Run {v}."], "a trial count")
role("successes", I("Number of successes.", minimum=0), ints(0, 5, "successes"), ["with exactly {v}"],
     ["I want exactly {v}."], ["Count exactly {v}."], "a success count")
role("probability", N("Success probability per trial.", minimum=0, maximum=1), nums(0.05, 0.95, 2),
     ["with probability {v}"], ["Each trial succeeds with probability {v}."], ["The probability is {v}."],
     "a probability")
domain(
    "statistics", "stats",
    Ent("descriptive statistics", {"calculate": "numbers precision?"}, {"mean": "$num:0:100:2", "std": "$num:0:40:2"},
        are=True, stem="summary_stats"),
    Ent("confidence interval", {"calculate": "numbers confidence"}, {"low": "$num:0:50:2", "high": "$num:50:100:2"}),
    Ent("t-test result", {"calculate": "numbers sample_numbers confidence?"}, {"p_value": "$num:0:1:4"},
        stem="t_test"),
    Ent("percentile value", {"calculate": "numbers percentile"}, {"value": "$num:0:100:2"}),
    Ent("binomial probability", {"calculate": "trials successes probability"}, {"probability": "$num:0:1:4"},
        stem="binomial_outcome_chance"),
    Ent("correlation coefficient", {"calculate": "numbers sample_numbers"}, {"r": "$num:-1:1:3"},
        stem="correlation"),
    Ent("outlier", {"find": "numbers"}, {"value": "$num:-50:200:1"}),
)

# --- unit conversion -----------------------------------------------------------------------------
for _key, _pool, _label in (("length", "units_length", "length"), ("weight", "units_weight", "weight"),
                            ("volume", "units_volume", "volume"), ("temp", "units_temp", "temperature")):
    role(f"{_key}_from", S(f"Unit to convert from ({_label})."), pool(_pool), ["from {v}"], ["It's in {v}."],
         ["It's measured in {v}."], "a source unit", param="from_unit")
    role(f"{_key}_to", S(f"Unit to convert to ({_label})."), differs(pool(_pool), "from_unit"), ["to {v}"],
         ["I want {v}."],
         ["Give it in {v}."], "a target unit", param="to_unit")
role("conv_value", N("Value to convert.", minimum=0), nums(0.5, 900, 1), ["{v}"], ["The value is {v}."],
     ["The value is {v}."], "a value", param="value")
role("currency_from", S("Currency to convert from (ISO 4217)."), pool("currencies"), ["from {v}"],
     ["I have {v}."], ["I'm paying with {v}."], "a source currency", param="from_currency")
role("currency_to", S("Currency to convert to (ISO 4217)."), differs(pool("currencies"), "from_currency"), ["to {v}", "into {v}"],
     ["I need {v}."], ["Convert into {v}."], "a target currency", param="to_currency")
role("money_amount", N("Amount of money.", minimum=0), nums(5, 5000, 2), ["{v}"], ["I have {v}."],
     ["The amount is {v}."], "an amount", param="amount")
CONV = ["Convert {value} {from_unit} to {to_unit}.", "How much is {value} {from_unit} in {to_unit}?",
        "What is {value} {from_unit} expressed in {to_unit}?", "Please change {value} {from_unit} into {to_unit}.",
        "I measured {value} {from_unit}. What is that in {to_unit}?", "Can you convert {value} {from_unit} into {to_unit}?",
        "My notes say {value} {from_unit}, but the form wants {to_unit}. What should I write?",
        "Unit question: {value} {from_unit} equals how many {to_unit}?"]
domain(
    "units", "units",
    Ent("length", {"convert": "conv_value length_from length_to"}, {"result": "$num:0:10000:3"},
        templates={"convert": CONV}),
    Ent("weight", {"convert": "conv_value weight_from weight_to"}, {"result": "$num:0:10000:3"},
        templates={"convert": CONV}),
    Ent("volume", {"convert": "conv_value volume_from volume_to"}, {"result": "$num:0:10000:3"},
        templates={"convert": CONV}),
    Ent("temperature", {"convert": "conv_value temp_from temp_to"}, {"result": "$num:-300:2000:2"},
        templates={"convert": [t.replace("{value} {from_unit}", "{value} degrees {from_unit}") for t in CONV]}),
    Ent("currency amount", {"convert": "money_amount currency_from currency_to"}, {"result": "$num:1:900000:2",
                                                                                  "rate": "$num:0.005:200:4"},
        templates={"convert": [
            "Convert {amount} {from_currency} to {to_currency}.", "How much is {amount} {from_currency} in {to_currency}?",
            "What do I get for {amount} {from_currency} in {to_currency}?",
            "Please change {amount} {from_currency} into {to_currency}.",
            "I have {amount} {from_currency}. What is that worth in {to_currency}?",
            "Can you convert {amount} {from_currency} into {to_currency}?",
            "I'm traveling soon and hold {amount} {from_currency}. Roughly how much {to_currency} is that?",
            "Money question: {amount} {from_currency} equals how much in {to_currency}?"]}),
    Ent("exchange rate", {"get": "currency_from currency_to date?"}, {"rate": "$num:0.005:200:4"},
        stem="fx_rate"),
)



def crud(noun: str, idr: str, fields: str, listing: str = "limit?", result: dict | None = None, **kw: Any) -> Ent:
    """An entity with create/get/update/delete/list actions (update takes the ID plus the fields)."""
    req = " ".join(f for f in fields.split() if not f.endswith("?"))
    return Ent(noun, {"create": fields, "get": idr, "update": f"{idr} {req}", "delete": idr, "list": listing},
               result or {"status": "ok"}, **kw)


# --- calendar ------------------------------------------------------------------------------------
idrole("event_id", "Event", "EVT-#####")
role("event_title", S("Event title."), pool("event_titles", quote=True), ["called {v}", "titled {v}"],
     ["The event is {v}."], ["Call it {v}."], "an event title", param="title")
role("duration_event", I("Length in minutes.", minimum=5, maximum=600), ints(15, 180, "minutes", step=15),
     ["lasting {v}", "for {v}"], ["It runs {v}."], ["Make it {v} long."], "a duration", param="duration_minutes")
role("recurrence", E("Repeat rule.", ["none", "daily", "weekly", "monthly"]),
     enum({"none": ["just once", "with no repeat"]}), ["repeating {v}"], ["It repeats {v}."],
     ["Repeat it {v}."], "a repeat rule")
role("reminder_minutes", I("Minutes before the event to remind.", minimum=0), ints(5, 120, "minutes", step=5),
     ["with a reminder {v} before"], ["Remind me {v} before."], ["Remind me {v} before."], "a reminder offset")
domain(
    "calendar", "calendar",
    crud("calendar event", "event_id", "event_title date time duration_event attendees? recurrence? reminder_minutes?",
         "start_date end_date limit?", {"title": "$choice:Team standup|Book club", "start": "$date"}),
    Ent("free time slot", {"find": "date duration_event attendees?"}, {"start": "$choice:09:30|14:00|16:15"}),
    Ent("calendar invitation", {"send": "event_id attendees", "cancel": "event_id"}),
    Ent("calendar agenda", {"get": "date"}, {"events": "$int:0:9"}),
)

# --- reminders and to-dos ------------------------------------------------------------------------
idrole("task_id", "Task", "TSK-#####")
role("task_title", S("Task title."), pool("task_titles", quote=True), ["called {v}", "titled {v}"],
     ["The task is {v}."], ["Call it {v}."], "a task title", param="title")
role("due_date", S("Due date" + DATE_DESC), date(), ["due {v}", "by {v}"], ["It's due {v}."],
     ["It's due {v}."], "a due date")
role("completed", B("Whether the task is done."), boolean(["as done", "as completed"], ["as still open",
     "as not finished"]), ["{v}"], ["Mark it {v}."], ["Mark it {v}."], "a completion flag")
role("list_name", S("To-do list name."), {"kind": "choice", "values": words("Home|Work|Errands|Groceries|Side Project")},
     ["on my {v} list", "in the {v} list"], ["Use my {v} list."], ["Put it on the {v} list."], "a list name")
domain(
    "todo", "todo",
    crud("task", "task_id", "task_title due_date priority? list_name? tags?", "list_name limit?",
         {"title": "$choice:Pay rent|Call mom", "done": "$bool"}),
    Ent("task status", {"set": "task_id completed"}),
    Ent("reminder", {"create": "task_title date time", "delete": "task_id", "list": "date"},
        {"title": "$choice:Call mom|Take pills", "time": "$choice:08:00|18:30"}),
    Ent("overdue task", {"list": "list_name"}, {"title": "$choice:Pay rent|Renew passport"}),
)

# --- email ---------------------------------------------------------------------------------------
idrole("email_id", "Email", "MSG-########", "message_id")
role("subject", S("Subject line."), pool("subjects", quote=True), ["with the subject {v}", "about {v}"],
     ["The subject is {v}."], ["Use the subject {v}."], "a subject")
role("body", S("Message body."), pool("messages", quote=True), ["saying {v}", "that reads {v}"],
     ["The text is {v}."], ["Write {v}."], "a message body")
role("cc", A("Addresses to copy.", {"type": "string"}), listof(pool("emails"), 1, 2), ["copying {v}"],
     ["Copy {v}."], ["CC {v}.", "Copy {v} on it."], "CC recipients")
role("unread_only", B("Only unread emails."), boolean(["only unread ones", "just the unread messages"],
     ["read and unread alike", "including already-read mail"]), ["{v}"], ["Show {v}."], ["Show {v}."],
     "an unread filter")
role("sender", S("Sender email address."), pool("emails"), ["from {v}"], ["The sender is {v}."],
     ["Only from {v}."], "a sender")
role("folder_mail", E("Mailbox folder.", ["inbox", "sent", "drafts", "archive", "spam"]), enum(),
     ["in my {v}", "in the {v} folder"], ["Look in {v}."], ["Look in the {v} folder."], "a folder", param="folder")
domain(
    "email", "mail",
    Ent("email", {"send": "recipients subject body cc?", "search": "query sender? unread_only? folder_mail?",
                  "delete": "email_id", "archive": "email_id", "get": "email_id"},
        {"subject": "$choice:Invoice|Hello", "from": "$choice:maria.lopez@northwind.io"}),
    Ent("email draft", {"create": "recipients subject body", "update": "email_id body"}),
    Ent("email reply", {"send": "email_id body cc?"}),
    Ent("email forward", {"send": "email_id recipients body?"}, stem="forwarded_email"),
    Ent("out-of-office reply", {"set": "start_date end_date body"}, stem="auto_reply"),
    Ent("mail filter", {"create": "sender folder_mail", "delete": "sender"}),
)

# --- messaging -----------------------------------------------------------------------------------
role("chat_message", S("Message text."), pool("messages", quote=True), ["saying {v}", "with the text {v}"],
     ["Tell them {v}."], ["Write {v}."], "a message", param="text")
role("channel", S("Channel name."), {"kind": "choice", "values": words("#general|#design|#random|#ops-alerts|"
                                                                        "#marketing|#support")},
     ["in {v}", "to {v}"], ["Post it in {v}."], ["Use the {v} channel."], "a channel")
role("members", A("Member usernames.", {"type": "string"}), listof(pool("usernames"), 1, 3), ["with {v}"],
     ["Add {v}."], ["Include {v}."], "members")
role("group_name", S("Group chat name."), {"kind": "choice", "quote": True, "values": words(
    "Weekend Hikers|Book Club|Family|Project Phoenix|Roommates")}, ["called {v}", "named {v}"],
     ["Name it {v}."], ["Name it {v}."], "a group name", param="name")
role("status_text", S("Status text."), {"kind": "choice", "quote": True, "values": words(
    "In a meeting|On vacation|Working remotely|Back at 3|Focus time")}, ["to {v}"], ["Set it to {v}."],
     ["Set it to {v}."], "a status text", param="status")
role("mute_hours", I("Hours to mute.", minimum=1, maximum=72), ints(1, 24, ["hour", "hours"], True),
     ["for {v}"], ["Mute it for {v}."], ["Mute for {v}."], "a mute duration", param="hours")
domain(
    "messaging", "chat",
    Ent("direct message", {"send": "recipient chat_message"}),
    Ent("channel message", {"send": "channel chat_message", "search": "channel query"},
        {"text": "$choice:Deploy done|Lunch?"}),
    Ent("group chat", {"create": "group_name members", "rename": "channel group_name"}),
    Ent("chat status", {"set": "status_text"}),
    Ent("channel notification", {"stop": "channel mute_hours"}, stem="channel_notifications"),
    Ent("unread message", {"list": "channel limit?"}, {"text": "$choice:Ping|See doc"}),
)

# --- files ---------------------------------------------------------------------------------------
role("file_name", S("File name."), pool("file_names"), ["{v}", "called {v}"], ["The file is {v}."],
     ["It's {v}."], "a file name")
role("folder", S("Folder path."), pool("folders"), ["in {v}", "to {v}"], ["It lives in {v}."],
     ["Use the folder {v}."], "a folder", param="path")
role("new_name", S("New file name."), pool("file_names"), ["to {v}"], ["The new name is {v}."],
     ["Rename it {v}."], "a new name")
role("overwrite", B("Overwrite an existing file."), boolean(["overwriting any existing copy",
     "replacing what's there"], ["keeping any existing copy", "without replacing anything"]), ["{v}"],
     ["Do it {v}."], ["Do it {v}."], "an overwrite flag")
role("permission", E("Access level.", ["view", "comment", "edit"]), enum(), ["with {v} access"],
     ["Give {v} access."], ["Grant {v} access."], "an access level")
role("file_types", A("File extensions.", {"type": "string", "enum": ["pdf", "docx", "xlsx", "jpg", "png", "csv"]}),
     listof(enum({"pdf": ["PDF", "pdf"], "csv": ["CSV", "csv"]}), 1, 2), ["of type {v}"],
     ["Only {v} files."], ["Only {v} files."], "file types")
domain(
    "files", "files",
    Ent("file", {"upload": "file_name folder overwrite?", "delete": "file_name folder", "move": "file_name folder",
                 "rename": "file_name new_name", "search": "query folder? file_types?", "share": "file_name email permission"},
        {"name": "$choice:report.pdf|notes.docx", "size_kb": "$int:1:90000"}),
    Ent("folder", {"create": "folder", "list": "folder file_types?"}, {"name": "$choice:docs|img"}),
    Ent("storage usage", {"get": "folder"}, {"used_mb": "$int:1:50000"}),
    Ent("file version", {"list": "file_name"}, {"version": "$int:1:30", "modified": "$date"}),
    Ent("trash", {"reset": "username"}, stem="trash_bin"),
)

# --- contacts ------------------------------------------------------------------------------------
idrole("contact_id", "Contact", "CNT-#####")
role("company", S("Company name."), pool("companies"), ["at {v}", "from {v}"], ["They work at {v}."],
     ["They work at {v}."], "a company")
role("birthday", S("Birthday" + DATE_DESC), date("1960-01-01", "2005-12-31"), ["born {v}"],
     ["Their birthday is {v}."], ["Their birthday is {v}."], "a birthday")
domain(
    "contacts", "contacts",
    crud("contact", "contact_id", "contact_name email phone? company? birthday?", "company limit?",
         {"name": "$choice:Maria Lopez|Omar Haddad"}),
    Ent("contact group", {"create": "group_name recipients"}),
    Ent("duplicate contact", {"find": "contact_name"}, {"matches": "$int:0:4"}),
    Ent("upcoming birthday", {"list": "days"}, {"name": "$choice:Maria|Omar", "date": "$date"}),
)

# --- sports --------------------------------------------------------------------------------------
role("team", S("Team name."), pool("teams"), ["for the {v}", "of the {v}"], ["I follow the {v}."],
     ["It's the {v}."], "a team")
role("opponent", S("Opposing team."), differs(pool("teams"), "team"), ["against the {v}", "versus the {v}"],
     ["They play the {v}."], ["The opponent is the {v}."], "an opponent")
role("athlete", S("Athlete name."), pool("athletes"), ["for {v}", "of {v}"], ["The player is {v}."],
     ["It's {v}."], "an athlete", param="player")
role("season", I("Season (starting year).", minimum=1990, maximum=2026), ints(2015, 2025), ["in the {v} season",
     "for the {v} season"], ["It's the {v} season."], ["Use the {v} season."], "a season")
role("sport", S("Sport."), pool("sports"), ["in {v}", "for {v}"], ["I'm into {v}."], ["The sport is {v}."],
     "a sport")
role("stat_type", E("Statistic.", ["points", "assists", "rebounds", "goals", "minutes"]), enum(), ["for {v}"],
     ["I care about {v}."], ["Show {v}."], "a statistic")
domain(
    "sports", "sports",
    Ent("match score", {"get": "team date"}, {"home": "$int:0:6", "away": "$int:0:6"}),
    Ent("team schedule", {"get": "team season"}, {"games": "$int:10:82"}),
    Ent("league standings", {"get": "sport season"}, {"leader": "$choice:Osaka Thunder|Denver Falcons"}, are=True),
    Ent("player statistics", {"get": "athlete season stat_type?"}, {"value": "$num:0:40:1"}, are=True,
        stem="player_stats"),
    Ent("head-to-head record", {"get": "team opponent years?"}, {"wins": "$int:0:30", "losses": "$int:0:30"},
        stem="head_to_head"),
    Ent("game ticket", {"book": "team opponent date seats"}, {"section": "$int:100:340"}),
    Ent("match prediction", {"predict": "team opponent"}, {"win_probability": "$num:0:1:2"},
        stem="match_outcome"),
    Ent("injury report", {"get": "team"}, {"players_out": "$int:0:6"}),
)

# --- music ---------------------------------------------------------------------------------------
role("song", S("Song title."), pool("songs", quote=True), ["{v}", "the song {v}"], ["The song is {v}."],
     ["Start with {v}."], "a song")
role("artist", S("Artist name."), pool("artists"), ["by {v}"], ["I love {v}."], ["Only {v}, please."], "an artist")
role("music_genre", S("Music genre."), pool("music_genres"), ["in {v}", "of {v}"], ["I'm in the mood for {v}."],
     ["Stick to {v}."], "a genre", param="genre")
role("playlist_name", S("Playlist name."), {"kind": "choice", "quote": True, "values": words(
    "Morning Run|Late Night Focus|Road Trip 2025|Sunday Chill|Dinner Party")}, ["called {v}", "named {v}"],
     ["My playlist is {v}."], ["Name it {v}."], "a playlist name", param="playlist")
role("shuffle", B("Shuffle playback."), boolean(["on shuffle", "in random order"], ["in order", "without shuffle"]),
     ["{v}"], ["Play it {v}."], ["Play it {v}."], "a shuffle flag")
role("volume", I("Volume percent.", minimum=0, maximum=100), ints(5, 100, "%", step=5), ["at {v} volume",
     "to {v}"], ["Set volume to {v}."], ["Keep the volume at {v}."], "a volume level")
domain(
    "music", "music",
    Ent("song", {"play": "song artist? shuffle? volume?", "search": "query music_genre?"},
        {"title": "$choice:Neon Rain|Slow Tide", "artist": "$choice:Luna Marquez"}, stem="track",
        plural="tracks"),
    Ent("playlist", {"create": "playlist_name music_genre?", "delete": "playlist_name", "share": "playlist_name email"}),
    Ent("playlist track", {"add": "playlist_name song", "delete": "playlist_name song"}),
    Ent("song lyrics", {"get": "song artist"}, {"lines": "$int:12:80"}, are=True, stem="track_lyrics"),
    Ent("similar artist", {"recommend": "artist limit?"}, {"name": "$choice:Iris Kaplan|DJ Solstice"}),
    Ent("concert", {"find": "artist city?"}, {"venue": "$choice:Riverside Arena", "date": "$date"}),
    Ent("listening history", {"get": "start_date end_date"}, {"minutes": "$int:0:9000"}),
)

# ============================================================== more domains (media, science, home, money)

action("download", COMMAND_FRAMES, ["download", "save offline", "grab", "fetch"], "the", "Download", "done",
       "downloaded")
action("unsubscribe", COMMAND_FRAMES, ["unsubscribe from", "stop following", "drop", "leave"], "the",
       "Unsubscribe from", "done", "unsubscribed")
action("follow", COMMAND_FRAMES, ["follow", "start following", "subscribe to", "keep up with"], "the", "Follow",
       "done", "followed")
action("mute", COMMAND_FRAMES, ["mute", "silence", "quiet", "hush"], "the", "Mute", "done", "muted")
action("publish", COMMAND_FRAMES, ["publish", "post", "put up", "release"], "a", "Publish", "created", "published")
action("invite", COMMAND_FRAMES, ["invite", "bring in", "add", "ask"], "a", "Invite", "created", "invited")
action("deploy", COMMAND_FRAMES, ["deploy", "roll out", "ship", "release"], "the", "Deploy", "done", "deployed")
action("scale", COMMAND_FRAMES, ["scale", "resize", "adjust", "change the size of"], "the", "Scale", "updated",
       "scaled")
action("restart", COMMAND_FRAMES, ["restart", "reboot", "bounce", "relaunch"], "the", "Restart", "done",
       "restarted")
action("close", COMMAND_FRAMES, ["close", "shut", "resolve", "wrap up"], "the", "Close", "done", "closed")
action("merge", COMMAND_FRAMES, ["merge", "land", "combine", "fold in"], "the", "Merge", "done", "merged")
action("buy", COMMAND_FRAMES, ["buy", "purchase", "pick up", "acquire"], "a", "Buy", "created", "bought")
action("sell", COMMAND_FRAMES, ["sell", "dispose of", "offload", "cash out"], "the", "Sell", "created", "sold")
action("apply", COMMAND_FRAMES, ["apply for", "put in an application for", "go for", "submit an application for"],
       "the", "Apply for", "created", "applied")
action("enroll", COMMAND_FRAMES, ["enroll in", "sign up for", "join", "register for"], "the", "Enroll in",
       "created", "enrolled")
action("quote", INFO_FRAMES, ["quote", "price out", "get a quote for", "estimate"], "the", "Quote", "entity")

# --- movies --------------------------------------------------------------------------------------
role("movie", S("Movie title."), pool("movies"), ["for {v}", "to see {v}"], ["I want to see {v}.",
     "The film is {v}."], ["The film is {v}."], "a movie title")
role("movie_genre", S("Film genre."), pool("movie_genres"), ["in {v}", "of the {v} genre"],
     ["I'm in the mood for {v}."], ["Only {v}, please.", "Stick to {v}."], "a genre", param="genre")
role("tickets", I("Number of tickets.", minimum=1, maximum=10), ints(1, 8, ["ticket", "tickets"], True),
     ["for {v}", "with {v}"], ["We need {v}."], ["Get {v}."], "a ticket count")
role("screen_format", E("Screening format.", ["standard", "imax", "3d", "dolby"]),
     enum({"imax": ["IMAX"], "3d": ["3D"], "dolby": ["Dolby Cinema", "Dolby"]}), ["in {v}"],
     ["We want to see it in {v}."], ["Only {v} screenings.", "Make it {v}."], "a screening format", param="format")
role("min_score", N("Minimum audience score out of 10.", minimum=0, maximum=10), nums(5, 9, 1, "out of 10"),
     ["rated at least {v}"], ["It should score at least {v}."], ["Only ones rated {v} or better."],
     "a minimum score")
role("release_year", I("Release year.", minimum=1950, maximum=2026), ints(1990, 2025),
     ["from {v}", "released in {v}"], ["It came out in {v}."], ["Only ones released in {v}."], "a release year",
     param="year")
role("actor", S("Actor name."), pool("people"), ["for {v}", "of {v}"], ["The actor is {v}."],
     ["The actor is {v}."], "an actor")
role("film_review", S("Review text."), {"kind": "choice", "quote": True, "values": words(
    "Gorgeous visuals but a slow middle|A perfect weekend watch|The ending stayed with me|"
    "Great cast, thin plot|Funnier than I expected")}, ["saying {v}"], ["My take: {v}."],
     ["Add the comment {v}."], "a review text", param="review")
MV = {"title": "$choice:The Last Lighthouse|Signal Lost|Glass Orchard", "score": "$num:4:9.5:1",
      "runtime_min": "$int:80:170"}
domain(
    "movies", "cinema",
    Ent("movie showtime", {"list": "movie city date screen_format?"}, {"time": "$choice:14:10|18:45|21:30",
                                                                      "screen": "$int:1:12"}),
    Ent("movie ticket", {"book": "movie city date time tickets screen_format?", "cancel": "booking_ref"},
        {"seats": "$choice:F7-F8|H12|C3-C5"}),
    Ent("movie details", {"get": "movie include_details?"}, MV, are=True),
    Ent("movie review", {"list": "movie limit? sort_order?", "submit": "movie rating film_review?"},
        {"score": "$int:1:5", "text": "$choice:Loved it|Too long"}),
    Ent("movie", {"search": "movie_genre release_year? min_score?", "recommend": "movie_genre limit?"}, MV),
    Ent("movie trailer", {"get": "movie language?"}, {"url": "$id:https://trailers.example.com/******"}),
    Ent("cinema", {"find": "city screen_format?"}, {"name": "$choice:Odeon Central|Lumiere 6|Starlight Cinema"}),
    Ent("movie cast", {"get": "movie limit?"}, {"lead": "$choice:Maria Lopez|Kenji Tanaka"}),
    Ent("actor filmography", {"get": "actor sort_order?"}, {"films": "$int:3:60"}),
)

# --- streaming -----------------------------------------------------------------------------------
role("tv_show", S("Series title."), pool("tv_shows"), ["of {v}", "for {v}"], ["I'm watching {v}.",
     "The show is {v}."], ["The show is {v}."], "a series")
role("season_number", I("Season number.", minimum=1, maximum=30), ints(1, 8), ["season {v}"],
     ["It's season {v}."], ["Use season {v}."], "a season number", param="season")
role("episode_number", I("Episode number.", minimum=1, maximum=40), ints(1, 12), ["episode {v}"],
     ["It's episode {v}."], ["Pick episode {v}."], "an episode number", param="episode")
role("profile_name", S("Viewer profile name."), pool("first_names"), ["on {v}'s profile", "for the {v} profile"],
     ["The profile is {v}."], ["Use {v}'s profile."], "a profile name", param="profile")
role("subtitles", S("Subtitle language."), pool("languages"), ["with {v} subtitles"],
     ["I want {v} subtitles."], ["Turn on {v} subtitles."], "a subtitle language")
role("video_quality", E("Playback quality.", ["auto", "sd", "hd", "4k"]),
     enum({"sd": ["SD", "standard definition"], "hd": ["HD", "high definition"], "4k": ["4K", "ultra HD"]}),
     ["to {v}"], ["I want {v} quality."], ["Use {v} quality."], "a video quality", param="quality")
role("kids_profile", B("Whether the profile is for children."),
     boolean(["as a kids profile", "with child-safe settings"], ["as a regular adult profile",
                                                                 "with no parental limits"]),
     ["{v}"], ["Set it up {v}."], ["Set it up {v}."], "a kids flag", param="kids")
role("stream_plan", E("Subscription plan.", ["basic", "standard", "premium"]), enum(), ["to the {v} plan"],
     ["I want the {v} plan."], ["Switch to the {v} plan."], "a plan", param="plan")
domain(
    "streaming", "stream",
    Ent("episode list", {"get": "tv_show season_number"}, {"episodes": "$int:6:24"}),
    Ent("episode", {"play": "tv_show season_number episode_number subtitles?"}, stem="show_episode"),
    Ent("watchlist title", {"add": "tv_show profile_name?", "delete": "tv_show profile_name?",
                            "list": "profile_name limit?"}, {"title": "$choice:Harbor Nights|The Ledger"}),
    Ent("viewer profile", {"create": "profile_name kids_profile?", "delete": "profile_name"}),
    Ent("viewing history", {"get": "profile_name days_back?"}, {"titles": "$int:0:40"}),
    Ent("playback quality", {"set": "video_quality profile_name"}),
    Ent("new release", {"list": "movie_genre limit?"}, {"title": "$choice:Northbound|Signal Lost"}),
    Ent("show availability", {"check": "tv_show country"}, {"available": "$bool"}),
    Ent("streaming plan", {"update": "email stream_plan", "cancel": "email"}, stem="stream_subscription"),
)

# --- books ---------------------------------------------------------------------------------------
role("book", S("Book title."), pool("books"), ["{v}", "for {v}"], ["The book is {v}.", "I'm reading {v}."],
     ["The book is {v}."], "a book title", param="title")
role("author", S("Author name."), pool("authors"), ["by {v}"], ["The author is {v}."], ["Only books by {v}."],
     "an author")
role("isbn", S("ISBN-13."), pattern("978-#-##-######-#"), ["with ISBN {v}", "for ISBN {v}"], ["The ISBN is {v}."],
     ["The ISBN is {v}."], "an ISBN")
role("book_format", E("Edition format.", ["hardcover", "paperback", "ebook", "audiobook"]),
     enum({"ebook": ["e-book", "ebook"]}), ["as a {v}", "in {v}"], ["I prefer the {v}."],
     ["I want the {v} edition."], "a format", param="format")
role("reading_status", E("Reading status.", ["want_to_read", "reading", "finished", "abandoned"]),
     enum({"want_to_read": ["want to read", "to-read"], "reading": ["currently reading"],
           "finished": ["finished", "read"], "abandoned": ["abandoned", "did not finish"]}),
     ["as {v}"], ["Mark it as {v}."], ["Mark it {v}."], "a reading status", param="status")
role("library_card", S("Library card number."), pattern("LC-########"), ["on card {v}", "for card {v}"],
     ["My library card is {v}."], ["Use card {v}."], "a library card number")
role("book_review", S("Review text."), {"kind": "choice", "quote": True, "values": words(
    "Couldn't put it down|Beautiful prose, slow plot|The twist was worth it|A bit long but rewarding|"
    "Perfect for a rainy weekend")}, ["saying {v}"], ["My review: {v}."], ["Add the comment {v}."],
     "a review text", param="review")
BK = {"title": "$choice:Salt and Silence|Ink and Ember|Rivers of Iron", "pages": "$int:120:820",
      "rating": "$num:2.5:5:1"}
domain(
    "books", "books",
    Ent("book", {"search": "query author? book_format?"}, BK),
    Ent("book details", {"get": "isbn"}, BK, are=True),
    Ent("book summary", {"get": "book"}, {"summary": "$choice:A sweeping family saga|A quiet mystery"}),
    Ent("author bibliography", {"get": "author sort_order?"}, {"books": "$int:2:40"}),
    Ent("reading list book", {"add": "book reading_status", "update": "book reading_status",
                              "delete": "book"}, stem="reading_list_book"),
    Ent("library hold", {"create": "isbn library_card", "cancel": "isbn library_card"},
        {"queue_position": "$int:1:30"}),
    Ent("library loan", {"renew": "isbn library_card", "list": "library_card"}, {"due": "$date"}),
    Ent("book review", {"submit": "book rating book_review?"}),
    Ent("similar book", {"recommend": "book limit?"}, BK),
    Ent("book prices", {"compare": "isbn book_format?"}, {"lowest": "$num:3:60:2",
                                                         "store": "$choice:Inkwell|PageTurn|BookBarn"}, are=True),
)

# --- news ----------------------------------------------------------------------------------------
role("news_topic", S("News topic."), pool("news_topics"), ["about {v}", "on {v}"], ["I'm following {v}.",
     "The topic is {v}."], ["Focus on {v}."], "a topic", param="topic")
role("news_topics", A("News topics.", {"type": "string"}), listof(pool("news_topics"), 2, 3), ["on {v}",
     "covering {v}"], ["I follow {v}."], ["Cover {v}."], "a list of topics", param="topics")
role("news_section", E("News section.", ["world", "business", "technology", "science", "sports", "health",
                                         "culture"]), enum(), ["in {v}", "from the {v} section"],
     ["I read the {v} section."], ["Only the {v} section."], "a section", param="section")
role("news_source", S("Publication name."), {"kind": "choice", "values": words(
    "The Harbor Times|Daily Meridian|Northwind Herald|Global Ledger|Civic Wire")}, ["from {v}"],
     ["I trust {v}."], ["Only from {v}.", "Stick to {v}."], "a source", param="source")
role("article_url", S("Article URL."), pattern("https://news.example.com/story/######"), ["at {v}", "{v}"],
     ["Here's the link: {v}."], ["The link is {v}."], "an article URL", param="url")
role("claim", S("Claim to check."), {"kind": "choice", "quote": True, "values": words(
    "Bananas are berries|The Great Wall is visible from space|Lightning never strikes twice|"
    "Humans use only 10% of their brains|Goldfish have a three-second memory")}, ["for the claim {v}", "on {v}"],
     ["Someone told me {v}."], ["The claim is {v}."], "a claim")
domain(
    "news", "news",
    Ent("top headline", {"list": "country news_section? limit?"}, {"headline": "$choice:Markets rally|Storm nears"}),
    Ent("news article", {"search": "news_topic start_date? news_source? limit?", "summarize": "article_url"},
        {"headline": "$choice:New policy unveiled|Record heat", "published": "$date"}),
    Ent("news alert", {"create": "news_topic email alert_frequency", "delete": "news_topic email"}),
    Ent("trending topic", {"list": "country limit?"}, {"topic": "$choice:elections|AI|heatwave"}),
    Ent("news source", {"list": "language news_section?"}, {"name": "$choice:Civic Wire|Global Ledger"}),
    Ent("saved article", {"add": "article_url tags?", "list": "tag_filter limit?"}),
    Ent("news digest", {"generate": "news_topics days_back"}, {"stories": "$int:3:30"}),
    Ent("fact check", {"get": "claim"}, {"verdict": "$choice:true|false|misleading"}),
)

# --- podcasts ------------------------------------------------------------------------------------
role("podcast", S("Podcast name."), pool("podcasts"), ["called {v}", "{v}"], ["I listen to {v}.",
     "The show is {v}."], ["It's {v}."], "a podcast name")
role("podcast_show", S("Podcast name."), pool("podcasts"), ["from {v}", "of {v}"], ["I listen to {v}.",
     "The show is {v}."], ["It's {v}."], "a podcast name", param="podcast")
role("similar_podcast", S("Podcast to find similar shows to."), pool("podcasts"), ["similar to {v}", "like {v}"],
     ["I really like {v}."], ["Something like {v}."], "a podcast name", param="podcast")
role("playback_speed", N("Playback speed multiplier.", minimum=0.5, maximum=3),
     {"kind": "choice", "values": [{"value": 1.25, "surfaces": ["1.25x", "1.25 times speed"]},
                                   {"value": 1.5, "surfaces": ["1.5x", "one and a half speed"]},
                                   {"value": 2.0, "surfaces": ["2x", "double speed"]},
                                   {"value": 0.75, "surfaces": ["0.75x", "three-quarter speed"]}]},
     ["to {v}"], ["I like it at {v}."], ["Play it at {v}."], "a playback speed", param="speed")
role("sleep_minutes", I("Minutes until playback stops.", minimum=5, maximum=120), ints(10, 90, "minutes", step=5),
     ["for {v}", "to {v}"], ["Stop after {v}."], ["Stop after {v}."], "a timer length", param="minutes")
role("podcast_category", E("Chart category.", ["news", "comedy", "true_crime", "business", "education",
                                               "health"]), enum({"true_crime": ["true crime"]}),
     ["in {v}"], ["I like {v} shows."], ["Only the {v} category."], "a category", param="category")
domain(
    "podcasts", "podcasts",
    Ent("podcast", {"search": "query language?", "subscribe": "podcast", "unsubscribe": "podcast",
                    "recommend": "similar_podcast limit?"}, {"title": "$choice:Deep Field Notes|Mind the Gap"}),
    Ent("podcast episode", {"play": "podcast_show episode_number playback_speed?",
                            "list": "podcast_show limit? sort_order?", "download": "podcast_show episode_number"}, {"title": "$choice:Ep. 12|Ep. 48",
                                                                   "minutes": "$int:12:140"}),
    Ent("podcast transcript", {"get": "podcast_show episode_number"}, {"words": "$int:1500:22000"}),
    Ent("playback speed", {"set": "playback_speed"}),
    Ent("sleep timer", {"set": "sleep_minutes"}, stem="podcast_sleep_timer"),
    Ent("podcast chart", {"get": "country podcast_category?"}, {"top": "$choice:The Daily Ledger|Curious Kitchen"}),
)

# --- astronomy -----------------------------------------------------------------------------------
role("planet", S("Planet name."), pool("planets"), ["of {v}", "for {v}"], ["I'm curious about {v}."],
     ["The planet is {v}."], "a planet")
role("star", S("Star name."), pool("stars"), ["of {v}", "for {v}"], ["I'm looking at {v}."], ["The star is {v}."],
     "a star")
role("hemisphere", E("Hemisphere of the observer.", ["northern", "southern"]), enum(), ["in the {v} hemisphere"],
     ["I live in the {v} hemisphere."], ["I'm in the {v} hemisphere."], "a hemisphere")
role("year", I("Calendar year.", minimum=2000, maximum=2040), ints(2025, 2030), ["in {v}", "for {v}"],
     ["It's for {v}."], ["Use the year {v}."], "a year")
role("aperture_mm", I("Telescope aperture in millimeters.", minimum=50, maximum=500), ints(60, 300, "mm", step=10),
     ["with a {v} telescope"], ["My telescope is {v}."], ["My scope has a {v} aperture."], "a telescope aperture",
     param="aperture")
role("sky_note", S("Free-text note."), {"kind": "choice", "quote": True, "values": words(
    "Clear skies, steady seeing|Faint but visible through haze|Twinkling a lot near the horizon|Saw it with binoculars only")}, ["with the note {v}"], ["My observation: {v}."], ["Add the note {v}.", "Include the note {v}."],
     "a note", param="note")
domain(
    "astronomy", "astro",
    Ent("planet position", {"get": "planet city date"}, {"altitude_deg": "$num:-90:90:1",
                                                         "azimuth_deg": "$num:0:360:1"}),
    Ent("planet facts", {"get": "planet"}, {"moons": "$int:0:95", "day_hours": "$num:9:5900:1"}, are=True),
    Ent("star profile", {"get": "star"}, {"magnitude": "$num:-1.5:11:2", "distance_ly": "$num:4:900:1"}),
    Ent("visible planet", {"list": "city date"}, {"planet": "$choice:Venus|Mars|Jupiter"}),
    Ent("moon phase", {"get": "date"}, {"phase": "$choice:new moon|first quarter|full moon|waning crescent"}),
    Ent("meteor shower", {"list": "year hemisphere"}, {"name": "$choice:Perseids|Geminids|Lyrids"}),
    Ent("space station pass", {"predict": "coordinates days?"}, {"start": "$choice:21:04|05:31", "max_el": "$int:10:88"}),
    Ent("stargazing forecast", {"get": "city date aperture_mm?"}, {"seeing": "$choice:poor|fair|good|excellent"}),
    Ent("eclipse", {"find": "country start_date end_date"}, {"type": "$choice:total|partial|annular", "date": "$date"}),
    Ent("observation log entry", {"add": "star date sky_note?"}, stem="sky_observation"),
)

# --- chemistry -----------------------------------------------------------------------------------
role("element", S("Element symbol, e.g. Fe."), pool("elements"), ["for {v}", "of {v}"], ["I'm studying {v}."],
     ["The element is {v}."], "an element")
role("elements", A("Element symbols.", {"type": "string"}), listof(pool("elements"), 2, 3), ["containing {v}",
     "with {v}"], ["It should contain {v}."], ["They must contain {v}."], "a list of elements")
role("compound", S("Chemical formula, e.g. H2O."), pool("compounds"), ["for {v}", "of {v}"],
     ["The compound is {v}."], ["The compound is {v}."], "a compound")
role("mass_g", N("Mass in grams.", minimum=0), nums(1, 500, 1, "g"), ["{v}"], ["I have {v}."],
     ["The mass is {v}."], "a mass", param="mass_grams")
role("moles", N("Amount of substance in moles.", minimum=0), nums(0.1, 10, 2, "mol"), ["of {v}", "for {v}"],
     ["I have {v}."], ["There are {v}."], "an amount in moles")
role("temperature_k", N("Temperature in kelvin.", minimum=0), nums(200, 600, 1, "K"), ["at {v}"],
     ["The temperature is {v}."], ["It's at {v}."], "a temperature")
role("volume_l", N("Volume in liters.", minimum=0), nums(0.5, 50, 2, "L"), ["in {v}"], ["The volume is {v}."],
     ["The volume is {v}."], "a volume")
role("molarity", N("Concentration in mol/L.", minimum=0), nums(0.001, 6, 3, "M"), ["at {v}", "of {v}"],
     ["The concentration is {v}."], ["It's {v}."], "a concentration", param="concentration")
role("target_molarity", N("Target concentration in mol/L.", minimum=0), nums(0.001, 0.5, 3, "M"), ["down to {v}"],
     ["I need {v} in the end."], ["Dilute to {v}."], "a target concentration", param="target_concentration")
CH = ["What is the {E} of {compound}?", "Calculate the {E} for {compound}.", "I need the {E} of {compound}.",
      "Please work out the {E} for {compound}.", "The compound is {compound}. What's its {E}?",
      "Can you give me the {E} of {compound}?",
      "I'm preparing a lab report on {compound}. Could you find its {E}?",
      "Chemistry homework check: {E} of {compound}, please."]
domain(
    "chemistry", "chem",
    Ent("element properties", {"get": "element"}, {"atomic_number": "$int:1:118", "mass": "$num:1:250:3"},
        are=True),
    Ent("molar mass", {"calculate": "compound"}, {"g_per_mol": "$num:2:400:3"},
        templates={"calculate": [t.replace("{E}", "molar mass") for t in CH]}),
    Ent("compound", {"search": "elements limit?"}, {"formula": "$choice:NaCl|CO2|CH4"}, stem="chemical_compound"),
    Ent("mole quantity", {"convert": "compound mass_g"}, {"moles": "$num:0.01:30:3"},
        templates={"convert": [
            "How many moles are in {mass_grams} of {compound}?", "Convert {mass_grams} of {compound} to moles.",
            "I weighed out {mass_grams} of {compound}. How many moles is that?",
            "Please turn {mass_grams} of {compound} into moles.",
            "What amount in moles is {mass_grams} of {compound}?", "Moles in {mass_grams} of {compound}?",
            "My sample is {compound}. It weighs {mass_grams}; what is that in moles?",
            "Stoichiometry help: {mass_grams} of {compound}, expressed in moles."]}),
    Ent("ideal gas pressure", {"calculate": "moles temperature_k volume_l"}, {"pressure_atm": "$num:0.1:60:3"}),
    Ent("dilution volume", {"calculate": "molarity volume_l target_molarity"}, {"final_volume_l": "$num:1:500:2"}),
    Ent("safety data sheet", {"get": "compound"}, {"hazard": "$choice:low|irritant|corrosive|flammable"}),
    Ent("solution pH", {"calculate": "molarity"}, {"ph": "$num:0:14:2"}),
    Ent("electron configuration", {"get": "element"}, {"configuration": "$choice:1s2 2s2 2p4|[Ar] 3d6 4s2"}),
)

# --- biology -------------------------------------------------------------------------------------
role("species", S("Common species name."), pool("species"), ["for the {v}", "of the {v}"],
     ["I'm researching the {v}."], ["The species is the {v}."], "a species")
role("gene", S("Gene symbol."), pool("genes"), ["{v}", "for {v}"], ["The gene is {v}."], ["The gene is {v}."],
     "a gene")
role("organism", E("Model organism.", ["human", "mouse", "zebrafish", "fruit_fly", "yeast"]),
     enum({"fruit_fly": ["fruit fly", "Drosophila"]}), ["in {v}"], ["I work with {v}."], ["Use {v} data."],
     "an organism")
DNA = words("ATGCGTACGTTAGC|ATGGCCATTGTAATG|ATGAAACGCATTAGCACC|ATGTTGGCAACCGGT|ATGCCCGGGTTTAAA|"
             "ATGACGTTCGAAGGC|ATGGATCCGAATTCG")
role("dna_sequence", S("DNA sequence (A, C, G, T)."), {"kind": "choice", "values": DNA},
     ["{v}", "for the sequence {v}"], ["My sequence is {v}."], ["Use {v}."], "a DNA sequence", param="sequence")
role("other_sequence", S("Second DNA sequence."), differs({"kind": "choice", "values": DNA}, "sequence"), ["against {v}", "with {v}"],
     ["The second one is {v}."], ["Compare with {v}."], "a second sequence", param="other")
role("population", I("Starting population size.", minimum=1), ints(50, 50000, "individuals"), ["from {v}",
     "starting at {v}"], ["We start with {v}."], ["Start with {v}."], "a starting population")
role("years_ahead", I("Years into the future.", minimum=1, maximum=50), ints(1, 20, ["year", "years"], True),
     ["in {v}", "after {v}"], ["Project {v} ahead."], ["Look {v} ahead."], "a number of years", param="years")
role("growth_rate", N("Annual growth rate as a fraction.", minimum=-1, maximum=5), nums(0.01, 0.4, 2),
     ["growing at a rate of {v}"], ["The yearly growth rate is {v}."], ["Use a growth rate of {v}."],
     "a growth rate")
BIO = ["What is the GC content of {sequence}?", "Calculate the GC content for {sequence}.",
       "I need the GC percentage of the sequence {sequence}.", "Please work out the GC content of {sequence}.",
       "Here is a DNA fragment: {sequence}. How GC-rich is it?", "Can you compute GC content for {sequence}?",
       "I just sequenced {sequence} in the lab. Could you tell me its GC content?",
       "Quick bioinformatics check: GC content of {sequence}?"]
domain(
    "biology", "bio",
    Ent("species profile", {"get": "species"}, {"class": "$choice:mammal|bird|insect|reptile",
                                                "lifespan_years": "$int:1:80"}),
    Ent("conservation status", {"get": "species"}, {"status": "$choice:least concern|vulnerable|endangered"}),
    Ent("gene summary", {"get": "gene organism?"}, {"chromosome": "$choice:17|7|19|12", "function":
                                                    "$choice:DNA repair|cell signaling"}),
    Ent("protein translation", {"generate": "dna_sequence"}, {"protein": "$choice:MKV|MAL|MGS"}),
    Ent("gc content", {"calculate": "dna_sequence"}, {"gc_percent": "$num:20:80:1"},
        templates={"calculate": BIO}),
    Ent("sequence alignment", {"generate": "dna_sequence other_sequence"}, {"identity_percent": "$num:10:100:1"}),
    Ent("species sighting", {"add": "species coordinates date", "list": "species country limit?"},
        {"count": "$int:1:40"}),
    Ent("population size", {"predict": "population growth_rate years_ahead"}, {"population": "$int:50:900000"}),
    Ent("habitat range", {"get": "species"}, {"continents": "$int:1:6"}),
    Ent("gene variant", {"list": "gene limit?"}, {"variant": "$choice:c.68_69delAG|p.R175H"}),
)

# --- smart home ----------------------------------------------------------------------------------
role("device", S("Device name."), pool("devices"), ["{v}", "for the {v}"], ["It's the {v}."],
     ["The device is the {v}."], "a device")
role("room", S("Room name."), pool("rooms"), ["in the {v}", "for the {v}"], ["I'm in the {v}."],
     ["It's the {v}."], "a room")
role("rooms", A("Rooms.", {"type": "string"}), listof(pool("rooms"), 2, 3), ["in the {v}"],
     ["Do the {v}."], ["Cover the {v}."], "a list of rooms")
role("brightness", I("Brightness percent.", minimum=0, maximum=100), ints(10, 100, "%", step=5), ["to {v}"],
     ["Make it {v}."], ["Set it to {v} brightness."], "a brightness level")
role("target_temp", N("Target temperature in degrees Celsius.", minimum=5, maximum=35), nums(16, 26, 1,
     "degrees"), ["to {v}"], ["I want it at {v}."], ["Keep it at {v}."], "a target temperature",
     param="temperature")
role("hvac_mode", E("Thermostat mode.", ["heat", "cool", "auto", "eco", "off"]), enum(), ["in {v} mode"],
     ["Use {v} mode."], ["Put it in {v} mode."], "a mode", param="mode")
role("device_label", S("New device name."), {"kind": "choice", "quote": True, "values": words(
    "Reading Lamp|Baby Monitor|Desk Fan|Patio Lights|Back Door")}, ["to {v}"], ["Call it {v}."],
     ["Rename it {v}."], "a new name", param="new_name")
role("door", E("Door.", ["front_door", "back_door", "garage_door", "side_gate"]), enum(), ["{v}"],
     ["It's the {v}."], ["It's the {v}."], "a door")
role("scene_name", S("Scene name."), {"kind": "choice", "quote": True, "values": words(
    "Movie Night|Good Morning|Away Mode|Dinner Party|Bedtime")}, ["{v}", "called {v}"], ["The scene is {v}."],
     ["Name it {v}."], "a scene name", param="scene")
role("devices", A("Device names.", {"type": "string"}), listof(pool("devices"), 2, 3), ["with {v}",
     "using {v}"], ["It should control {v}."], ["Include {v}."], "a list of devices")
role("camera", S("Camera name."), pool("camera_names"), ["from the {v}", "for the {v}"], ["It's the {v}."],
     ["Use the {v}."], "a camera")
domain(
    "smart_home", "home",
    Ent("thermostat setting", {"set": "room target_temp hvac_mode?", "get": "room"},
        {"current": "$num:14:28:1", "mode": "$choice:heat|cool|eco"}),
    Ent("thermostat schedule", {"create": "room target_temp time alarm_days"}),
    Ent("light brightness", {"set": "room brightness color?"}),
    Ent("device status", {"get": "device"}, {"online": "$bool", "battery_percent": "$int:3:100"}),
    Ent("smart device", {"list": "room", "rename": "device device_label", "reset": "device"},
        {"name": "$choice:kitchen speaker|porch light"}),
    Ent("door", {"lock": "door", "check": "door"}, {"locked": "$bool"}, stem="door_lock", templates={
        "lock": ["Lock the {door}.", "Can you lock the {door}?", "Please lock the {door} for me.",
                 "I'd like the {door} locked.", "I'm heading out. Could you lock the {door}?",
                 "Make sure the {door} gets locked.", "I'm already in bed and forgot. Please lock the {door}.",
                 "Hey, lock up the {door}, thanks."],
        "check": ["Is the {door} locked?", "Can you check whether the {door} is locked?",
                  "Tell me if the {door} is locked.", "Please check the lock on the {door}.",
                  "I left in a hurry. Is the {door} locked or not?", "What is the lock status of the {door}?",
                  "I'm at work and can't remember. Did I lock the {door}?",
                  "Quick check on the {door} lock, please."]}),
    Ent("home scene", {"start": "scene_name", "create": "scene_name devices"}),
    Ent("camera snapshot", {"generate": "camera"}, {"image_url": "$id:https://cam.example.com/******.jpg"}),
    Ent("camera recording", {"list": "camera date"}, {"clip": "$choice:motion 08:14|motion 17:52"}),
    Ent("device energy usage", {"get": "device days_back"}, {"kwh": "$num:0:90:2"}),
    Ent("vacuum cleaning", {"start": "rooms"}, stem="vacuum_run"),
)

# --- banking -------------------------------------------------------------------------------------
role("bank_account", S("Account number."), pattern("ACC-########"), ["for account {v}", "on {v}"],
     ["My account is {v}."], ["Use account {v}."], "an account number", param="account_id")
role("to_account", S("Destination account number."), differs(pattern("ACC-########"), "account_id"), ["to account {v}", "into {v}"],
     ["It goes to account {v}."], ["Send it to {v}."], "a destination account")
role("transfer_memo", S("Memo for the transfer."), {"kind": "choice", "quote": True, "values": words(
    "Rent for March|Dinner split|Birthday gift|Car repair|Savings top-up")}, ["with the memo {v}"],
     ["Put {v} as the memo."], ["Add the memo {v}."], "a memo", param="memo")
role("payee", S("Payee name."), pool("companies"), ["to {v}", "from {v}"], ["The payee is {v}."],
     ["The payee is {v}."], "a payee")
role("card_last4", S("Last four digits of the card."), pattern("####"), ["ending in {v}", "ending {v}"],
     ["It's the card ending in {v}."], ["The card ends in {v}."], "a card's last four digits")
role("statement_month", S("Statement month, YYYY-MM."), {"kind": "choice", "values": [f"2025-{m:02d}" for m in range(1, 13)]}, ["for {v}"],
     ["I need the {v} statement."], ["Use the {v} statement."], "a statement month", param="month")
role("file_format", E("Export file format.", ["pdf", "csv", "xlsx"]),
     enum({"pdf": ["PDF"], "csv": ["CSV"], "xlsx": ["Excel", "XLSX"]}), ["as {v}"], ["I want it as {v}."],
     ["Export it as {v}."], "a file format", param="format")
role("goal_name", S("Savings goal name."), {"kind": "choice", "quote": True, "values": words(
    "Emergency Fund|New Laptop|Summer Trip|House Deposit|Wedding")}, ["called {v}", "for {v}"],
     ["The goal is {v}."], ["Call it {v}."], "a goal name")
role("target_amount", N("Target amount in US dollars.", minimum=0), nums(200, 50000, 0, None, "$"),
     ["of {v}", "targeting {v}"], ["I want to save {v}."], ["Aim for {v}."], "a target amount")
role("loan_amount", N("Loan principal in US dollars.", minimum=0), nums(1000, 500000, 0, None, "$"),
     ["for {v}", "on {v}"], ["I'm borrowing {v}."], ["The loan is {v}."], "a loan amount", param="principal")
role("interest_rate", N("Annual interest rate in percent.", minimum=0, maximum=40), nums(1, 15, 2, "%"),
     ["at {v}"], ["The rate is {v}."], ["Use a {v} rate."], "an interest rate", param="annual_rate")
role("loan_years", I("Loan term in years.", minimum=1, maximum=40), ints(1, 30, ["year", "years"]),
     ["over {v}"], ["The term is {v}."], ["Spread it over {v}."], "a loan term", param="term_years")
role("enabled", B("Whether the feature is on."), boolean(["turned on", "enabled"], ["turned off", "disabled"]),
     ["{v}"], ["I want it {v}."], ["Keep it {v}."], "an on/off flag")
domain(
    "banking", "bank",
    Ent("account balance", {"get": "bank_account"}, {"available": "$num:0:90000:2", "currency": "USD"}),
    Ent("bank transaction", {"list": "bank_account start_date end_date? limit?", "search": "bank_account payee"},
        {"amount": "$num:-900:900:2", "merchant": "$choice:Greenleaf Foods|Quartz Media"}),
    Ent("bank transfer", {"send": "bank_account to_account amount_usd transfer_memo?",
                          "schedule": "bank_account to_account amount_usd date"}),
    Ent("lost card", {"report": "card_last4 date?"}, stem="lost_card"),
    Ent("debit card", {"lock": "card_last4"}, stem="debit_card"),
    Ent("account statement", {"export": "bank_account statement_month file_format?"}),
    Ent("utility bill", {"pay": "payee amount_usd bank_account"}),
    Ent("monthly spending", {"summarize": "bank_account statement_month"}, {"total": "$num:100:9000:2",
                                                                             "top_category": "$choice:food|rent"}),
    Ent("savings goal", {"create": "goal_name target_amount date", "update": "goal_name target_amount"}),
    Ent("loan payment", {"calculate": "loan_amount interest_rate loan_years"}, {"monthly": "$num:20:9000:2"}),
    Ent("overdraft protection", {"set": "bank_account enabled"}),
    Ent("bank branch", {"find": "city limit?"}, {"name": "$choice:Main Street Branch|Harbor Branch"}),
)

# --- crypto --------------------------------------------------------------------------------------
role("coin", S("Cryptocurrency symbol, e.g. BTC."), pool("crypto"), ["for {v}", "of {v}"],
     ["I'm watching {v}.", "The coin is {v}."], ["The coin is {v}."], "a coin")
role("coins", A("Cryptocurrency symbols.", {"type": "string"}), listof(pool("crypto"), 2, 3), ["for {v}"],
     ["I hold {v}."], ["Include {v}."], "a list of coins")
role("coin_amount", N("Amount of the coin.", minimum=0), nums(0.01, 25, 3), ["{v}"], ["I have {v} of it."],
     ["The amount is {v}."], "a coin amount", param="amount")
role("wallet_address", S("Wallet address."), pattern("0x????##??##??##??##"), ["to {v}", "at {v}"],
     ["The wallet is {v}."], ["Send it to {v}."], "a wallet address", param="address")
role("fiat", S("Fiat currency code."), pool("currencies"), ["in {v}"], ["Show it in {v}."],
     ["Price it in {v}."], "a fiat currency", param="vs_currency")
role("chain", E("Blockchain network.", ["ethereum", "solana", "polygon", "arbitrum", "bitcoin"]), enum(),
     ["on {v}"], ["Use the {v} network."], ["Use the {v} network."], "a network", param="network")
role("tx_hash", S("Transaction hash."), pattern("0x??##??##??##??##??"), ["{v}", "with hash {v}"],
     ["The hash is {v}."], ["The hash is {v}."], "a transaction hash")
role("price_move", N("Percent move that triggers the alert.", minimum=0, maximum=100), nums(2, 25, 1, "%"),
     ["of {v}"], ["Alert me on a {v} move."], ["Trigger on a {v} move."], "a percent move", param="percent")
CR = {"price": "$num:0.05:90000:2", "change_24h": "$num:-12:12:2", "market_cap_billion": "$num:1:1500:1"}
domain(
    "crypto", "crypto",
    Ent("coin price", {"get": "coin fiat?"}, CR),
    Ent("coin price history", {"get": "coin start_date end_date interval?"}, {"points": "$int:7:365"}),
    Ent("coin market overview", {"list": "fiat limit?", "compare": "coins fiat?"}, CR,
        plural="coin market listings"),
    Ent("crypto", {"buy": "coin amount_usd"}, stem="crypto_coin", templates={"buy": [
        "Buy {amount} worth of {coin}.", "Can you buy {amount} of {coin} for me?", "I'd like to purchase {amount} in {coin}.",
        "Please put {amount} into {coin}.", "I'm bullish on {coin}. Could you buy {amount} worth?",
        "Place a buy order for {coin} worth {amount}.",
        "I've been saving up and want some {coin}. Please spend {amount} on it.",
        "Quick trade: {amount} of {coin}, buy now please."]}),
    Ent("crypto holding", {"sell": "coin coin_amount"}, stem="crypto_holding", templates={"sell": [
        "Sell {amount} {coin}.", "Can you sell {amount} of my {coin}?", "I'd like to sell {amount} {coin}.",
        "Please cash out {amount} {coin}.", "I think {coin} has peaked. Could you sell {amount} of it?",
        "Place a sell order for {amount} {coin}.",
        "I need some cash for rent this month. Please sell {amount} of my {coin}.",
        "Quick trade: sell {amount} {coin} now, please."]}),
    Ent("wallet balance", {"get": "wallet_address chain?"}, {"balance": "$num:0:500:4"}),
    Ent("crypto withdrawal", {"send": "coin coin_amount wallet_address chain?"}, stem="crypto_withdrawal",
        templates={"send": [
            "Send {amount} {coin} to {address}.", "Can you withdraw {amount} {coin} to {address}?",
            "I'd like to move {amount} {coin} to the wallet {address}.",
            "Please transfer {amount} of my {coin} to {address}.",
            "My cold wallet is {address}. Could you send {amount} {coin} there?",
            "Withdraw {amount} {coin} to {address}, please.",
            "I'm moving funds off the exchange. Send {amount} {coin} to {address}.",
            "Crypto withdrawal: {amount} {coin} to {address}."]}),
    Ent("transaction status", {"check": "tx_hash chain"}, {"confirmations": "$int:0:120",
                                                           "status": "$choice:pending|confirmed|failed"},
        stem="chain_transaction"),
    Ent("gas fee", {"estimate": "chain"}, {"gwei": "$num:1:90:1", "usd": "$num:0.01:20:2"}),
    Ent("crypto price alert", {"create": "coin price_move email", "delete": "coin email"}),
    Ent("portfolio value", {"calculate": "coins fiat?"}, {"total": "$num:10:900000:2"}, stem="crypto_portfolio"),
)

# --- jobs ----------------------------------------------------------------------------------------
role("job_title", S("Job title."), pool("job_titles"), ["for {v} roles", "as a {v}"], ["I'm a {v}.",
     "I'm looking for {v} work."], ["The role is {v}."], "a job title", param="title")
role("job_skills", A("Skills.", {"type": "string"}), listof(pool("skills"), 1, 3), ["with {v}",
     "requiring {v}"], ["My skills are {v}."], ["I know {v}."], "a list of skills", param="skills")
role("remote", B("Only remote positions."), boolean(["remote only", "fully remote"], ["on-site is fine",
     "in the office"]), ["{v}"], ["I want it {v}."], ["Make it {v}."], "a remote filter")
role("min_salary", I("Minimum yearly salary in US dollars.", minimum=0), ints(30000, 200000, None, step=5000),
     ["paying at least ${v}"], ["I need at least ${v} a year."], ["Only jobs paying ${v} or more."],
     "a minimum salary")
role("employment_type", E("Employment type.", ["full_time", "part_time", "contract", "internship"]),
     enum({"full_time": ["full-time", "full time"], "part_time": ["part-time", "part time"]}),
     ["{v}"], ["I want {v} work."], ["Only {v} positions."], "an employment type", param="type")
idrole("job_id", "Job", "JOB-######")
idrole("application_id", "Application", "APP-######")
role("resume_file", S("Resume file name."), {"kind": "choice", "values": words(
    "resume_2025.pdf|cv_final.pdf|resume_backend.docx|cv_design.pdf")}, ["with {v}", "using {v}"],
     ["My resume is {v}."], ["Attach {v}."], "a resume file", param="resume")
role("company_name", S("Company name."), pool("companies"), ["at {v}", "for {v}"], ["The company is {v}."],
     ["It's at {v}."], "a company", param="company")
role("experience_years", I("Years of experience.", minimum=0, maximum=50), ints(0, 20, ["year", "years"], True),
     ["with {v} of experience"], ["I have {v} of experience."], ["I have {v} of experience."],
     "years of experience")
domain(
    "jobs", "jobs",
    Ent("job posting", {"search": "job_title city? remote? min_salary? employment_type?", "get": "job_id"},
        {"title": "$choice:Backend Engineer|Data Analyst", "company": "$choice:Lumen Analytics|Pioneer Solar"}),
    Ent("job", {"apply": "job_id resume_file"}, stem="job_opening"),
    Ent("job application", {"get": "application_id", "cancel": "application_id", "list": "email limit?"},
        {"status": "$choice:submitted|interviewing|rejected|offer"}),
    Ent("saved job", {"add": "job_id", "delete": "job_id"}),
    Ent("salary estimate", {"get": "job_title city experience_years?"}, {"median": "$int:30000:220000"}),
    Ent("company review", {"list": "company_name limit?"}, {"stars": "$num:1:5:1"}),
    Ent("job alert", {"create": "job_title city email", "delete": "job_title email"}),
    Ent("interview slot", {"schedule": "application_id date time"}),
    Ent("skill gap", {"analyze": "job_title job_skills"}, {"missing": "$choice:SQL|Figma|Excel"}),
)

# --- real estate ---------------------------------------------------------------------------------
role("property_address", O("Property address.", {"street": S("Street and number."), "city": S("City."),
                                                 "postal_code": S("Postal code.")}),
     obj({"street": pool("streets"), "city": pool("cities"), "postal_code": pattern("#####")},
         ["{street}, {city} {postal_code}", "{street} in {city}, postal code {postal_code}"]),
     ["for {v}", "at {v}"], ["The property is at {v}."], ["The property is at {v}."], "a property address",
     param="address")
role("home_price", N("Purchase price in US dollars.", minimum=0), nums(100000, 2000000, 0, None, "$"),
     ["on a {v} home", "for a {v} property"], ["The house costs {v}."], ["The price is {v}."], "a home price",
     param="price")
role("bedrooms", I("Minimum bedrooms.", minimum=0, maximum=10), ints(1, 5, ["bedroom", "bedrooms"], True),
     ["with {v}", "with at least {v}"], ["We need {v}."], ["At least {v}."], "a bedroom count")
role("max_price", N("Maximum price in US dollars.", minimum=0), nums(100000, 2000000, 0, None, "$"),
     ["under {v}"], ["My budget is {v}."], ["Keep it under {v}."], "a maximum price")
role("max_rent", N("Maximum monthly rent in US dollars.", minimum=0), nums(600, 6000, 0, None, "$"),
     ["under {v} a month"], ["I can pay {v} a month."], ["Keep the rent under {v}."], "a maximum rent")
role("property_type", E("Property type.", ["house", "apartment", "condo", "townhouse", "land"]), enum(),
     ["{v}"], ["I want a {v}."], ["Only a {v}."], "a property type", param="type")
idrole("listing_id", "Listing", "LST-######")
role("pets_allowed", B("Only pet-friendly listings."), boolean(["that allow pets", "pet-friendly"],
     ["with no pets needed", "regardless of pet rules"]), ["{v}"], ["It must be {v}."], ["Only ones {v}."],
     "a pets filter")
role("down_payment", N("Down payment in US dollars.", minimum=0), nums(10000, 300000, 0, None, "$"),
     ["with {v} down"], ["I can put {v} down."], ["Put {v} down."], "a down payment")
role("square_meters", I("Floor area in square meters.", minimum=10), ints(40, 400, "square meters"),
     ["of {v}"], ["It's {v}."], ["The area is {v}."], "a floor area", param="area_sqm")
domain(
    "real_estate", "realty",
    Ent("home listing", {"search": "city max_price bedrooms? property_type?", "get": "listing_id"},
        {"price": "$int:90000:2500000", "beds": "$int:1:6"}, plural="homes for sale"),
    Ent("rental listing", {"search": "city max_rent bedrooms? pets_allowed?"}, {"rent": "$int:500:7000"}),
    Ent("property valuation", {"estimate": "property_address square_meters? bedrooms?"}, {"value": "$int:80000:3000000"}),
    Ent("mortgage payment", {"calculate": "home_price down_payment interest_rate loan_years"},
        {"monthly": "$num:300:20000:2"}),
    Ent("property viewing", {"schedule": "listing_id date time", "cancel": "listing_id"}),
    Ent("saved listing", {"add": "listing_id", "list": "email limit?"}),
    Ent("neighborhood profile", {"get": "city"}, {"walk_score": "$int:10:100", "median_rent": "$int:600:5000"}),
    Ent("comparable sale", {"list": "property_address limit?"}, {"sold_price": "$int:90000:2000000", "sold": "$date"}),
    Ent("rental application", {"submit": "listing_id contact_name email"}),
)

# --- insurance -----------------------------------------------------------------------------------
role("insurance_type", S("Insurance type."), pool("insurance_types"), ["for {v} insurance", "on {v} cover"],
     ["I need {v} insurance."], ["It's {v} insurance."], "an insurance type", param="policy_type")
idrole("policy_id", "Policy", "POL-########", "policy_number")
idrole("claim_id", "Claim", "CLM-######")
role("incident_date", S("Date of the incident" + DATE_DESC), date("2024-06-01", "2025-12-31"),
     ["from {v}", "that happened {v}"], ["It happened on {v}."], ["It happened on {v}."], "an incident date")
role("claim_amount", N("Claimed amount in US dollars.", minimum=0), nums(50, 20000, 2, None, "$"),
     ["for {v}"], ["The damage is {v}."], ["Claim {v}."], "a claim amount", param="amount")
role("incident_description", S("What happened."), {"kind": "choice", "quote": True, "values": words(
    "Water leak in the kitchen|Rear-ended at a stop light|Laptop stolen from my bag|Hail damage to the roof|"
    "Dog needed emergency surgery")}, ["saying {v}", "described as {v}"], ["What happened: {v}."],
     ["Describe it as {v}."], "a description", param="description")
role("deductible", N("Deductible in US dollars.", minimum=0), nums(100, 5000, 0, None, "$"),
     ["with a {v} deductible"], ["I want a {v} deductible."], ["Use a {v} deductible."], "a deductible")
role("coverage_amount", N("Coverage limit in US dollars.", minimum=0), nums(10000, 1000000, 0, None, "$"),
     ["with {v} of coverage"], ["I need {v} of coverage."], ["Cover up to {v}."], "a coverage limit",
     param="coverage")
domain(
    "insurance", "insure",
    Ent("insurance quote", {"get": "insurance_type age coverage_amount? deductible?"}, {"monthly": "$num:8:600:2"}),
    Ent("insurance policy", {"get": "policy_id", "renew": "policy_id", "cancel": "policy_id"},
        {"status": "active", "renews": "$date"}),
    Ent("insurance claim", {"submit": "policy_id incident_date claim_amount incident_description?",
                            "track": "claim_id", "cancel": "claim_id"}, {"status": "$choice:received|in review|paid"}),
    Ent("policy deductible", {"update": "policy_id deductible"}),
    Ent("policy beneficiary", {"add": "policy_id contact_name"}),
    Ent("coverage details", {"get": "policy_id"}, {"limit": "$int:10000:1000000"}, are=True),
    Ent("premium payment", {"schedule": "policy_id amount_usd date"}),
    Ent("insurance agent", {"find": "city insurance_type?"}, {"name": "$choice:Dana Brooks|Leo Marsh"}),
)

# --- cloud and devops ----------------------------------------------------------------------------
role("region", S("Cloud region."), pool("cloud_regions"), ["in {v}"], ["We run in {v}."], ["Use region {v}."],
     "a region")
role("instance_type", S("Instance type."), pool("instance_types"), ["as a {v}", "of type {v}"],
     ["I want a {v}."], ["Use a {v}."], "an instance type")
idrole("instance_id", "Instance", "i-0########")
role("service_name", S("Service name."), {"kind": "choice", "values": words(
    "checkout-api|auth-service|search-indexer|billing-worker|web-frontend|notification-hub")},
     ["for {v}", "of {v}"], ["The service is {v}."], ["It's {v}."], "a service name", param="service")
role("replicas", I("Number of replicas.", minimum=0, maximum=100), ints(1, 12, ["replica", "replicas"], True),
     ["to {v}"], ["We need {v}."], ["Run {v}."], "a replica count")
role("image_tag", S("Container image tag."), pattern("v#.#.##"), ["at version {v}", "with tag {v}"],
     ["The tag is {v}."], ["Use tag {v}."], "an image tag", param="version")
role("environment", E("Deployment environment.", ["dev", "staging", "production"]), enum(),
     ["to {v}", "in {v}"], ["This is for {v}."], ["Target {v}."], "an environment")
role("log_level", E("Minimum log level.", ["debug", "info", "warning", "error"]), enum(), ["at {v} level"],
     ["Only {v} and above."], ["Only {v} logs and above."], "a log level", param="level")
role("hours_back", I("Hours to look back.", minimum=1, maximum=168), ints(1, 48, ["hour", "hours"], True),
     ["from the last {v}"], ["Look at the last {v}."], ["Cover the last {v}."], "a look-back window",
     param="hours")
role("bucket", S("Storage bucket name."), {"kind": "choice", "values": words(
    "prod-assets|backup-nightly|ml-datasets|user-uploads|logs-archive")}, ["{v}", "called {v}"],
     ["The bucket is {v}."], ["Use the bucket {v}."], "a bucket name")
role("bucket_of", S("Storage bucket name."), {"kind": "choice", "values": words(
    "prod-assets|backup-nightly|ml-datasets|user-uploads|logs-archive")}, ["for {v}", "of the bucket {v}"],
     ["The bucket is {v}."], ["Use the bucket {v}."], "a bucket name", param="bucket")
role("database", S("Database name."), pool("databases"), ["in the {v} database", "on {v}"], ["The database is {v}."],
     ["Use {v}."], "a database")
role("cpu_threshold", I("CPU percent that triggers the alarm.", minimum=1, maximum=100), ints(50, 95, "%", step=5),
     ["above {v}"], ["Alert above {v} CPU."], ["Trigger above {v}."], "a CPU threshold", param="threshold")
domain(
    "cloud", "cloud",
    Ent("virtual machine", {"create": "instance_type region tags?", "stop": "instance_id", "restart": "instance_id",
                            "list": "region limit?"}, {"state": "$choice:running|stopped|pending"}, stem="vm"),
    Ent("service", {"deploy": "service_name image_tag environment"}),
    Ent("service replica count", {"scale": "service_name replicas environment?"}, stem="service_replicas"),
    Ent("service logs", {"get": "service_name hours_back log_level?"}, {"lines": "$int:0:5000"}, are=True),
    Ent("storage bucket", {"create": "bucket region", "delete": "bucket"}),
    Ent("bucket usage", {"get": "bucket_of"}, {"size_gb": "$num:0:9000:1", "objects": "$int:0:9000000"}),
    Ent("database backup", {"create": "database", "list": "database limit?"}, {"taken": "$date"}),
    Ent("cpu alarm", {"create": "instance_id cpu_threshold email"}, stem="cpu_alarm"),
    Ent("cloud cost", {"estimate": "instance_type region days"}, {"usd": "$num:1:9000:2"}, stem="cloud_costs"),
    Ent("service health", {"check": "service_name environment?"}, {"healthy": "$bool", "latency_ms": "$int:5:900"}),
)

# --- code hosting --------------------------------------------------------------------------------
role("repo", S("Repository, owner/name."), pool("repos"), ["in {v}", "for {v}"], ["The repo is {v}."],
     ["It's in {v}."], "a repository")
role("branch", S("Branch name."), pool("branches"), ["on {v}", "from {v}"], ["The branch is {v}."],
     ["Use the branch {v}."], "a branch")
role("branch_name", S("Branch name."), pool("branches"), ["called {v}", "named {v}"], ["The branch is {v}."],
     ["Call it {v}."], "a branch name", param="branch")
role("base_branch", S("Branch to merge into."), pool("branches"), ["into {v}"], ["It targets {v}."],
     ["Target {v}."], "a base branch", param="base")
role("pr_number", I("Pull request number.", minimum=1), ints(10, 4000), ["#{v}", "number {v}"],
     ["It's PR #{v}."], ["The PR is #{v}."], "a pull request number")
role("issue_number", I("Issue number.", minimum=1), ints(10, 4000), ["#{v}", "number {v}"],
     ["It's issue #{v}."], ["The issue is #{v}."], "an issue number")
role("issue_title", S("Issue title."), {"kind": "choice", "quote": True, "values": words(
    "Login button unresponsive on mobile|Crash when exporting CSV|Typo in the README|Slow search on large inputs|"
    "Dark mode colors are off")}, ["titled {v}", "called {v}"], ["The title is {v}."], ["Title it {v}."],
     "an issue title", param="title")
role("labels", A("Labels.", {"type": "string", "enum": ["bug", "enhancement", "docs", "good_first_issue",
                                                       "performance"]}),
     listof(enum({"good_first_issue": ["good first issue"]}), 1, 2), ["labeled {v}"], ["Label it {v}."],
     ["Label it {v}.", "Add the labels {v}."], "labels")
role("reviewer", S("Reviewer username."), pool("usernames"), ["to {v}", "for {v}"], ["The reviewer is {v}."],
     ["Ask {v} to review."], "a reviewer")
role("merge_method", E("Merge method.", ["merge", "squash", "rebase"]), enum(), ["with a {v}"],
     ["Use a {v}."], ["Do a {v} merge.", "Use the {v} method."], "a merge method", param="method")
role("issue_state", E("Issue state.", ["open", "closed"]), enum(), ["that are {v}"],
     ["Only {v} ones."], ["Only {v} ones."], "a state", param="state")
role("prog_language", S("Programming language."), pool("prog_languages"), ["in {v}", "written in {v}"],
     ["I code in {v}."], ["Only {v} projects."], "a language", param="language")
domain(
    "code_hosting", "repo",
    Ent("repository issue", {"create": "repo issue_title labels?", "close": "repo issue_number",
                             "list": "repo issue_state? labels? limit?"}, {"number": "$int:1:4000"},
        stem="repo_issue"),
    Ent("pull request", {"create": "repo branch base_branch issue_title?", "merge": "repo pr_number merge_method?",
                         "get": "repo pr_number"}, {"state": "$choice:open|merged|closed", "checks": "$choice:passing|failing"}),
    Ent("pull request", {"assign": "repo pr_number reviewer"}, stem="pr_reviewer"),
    Ent("branch", {"create": "repo branch_name", "delete": "repo branch_name"}, stem="git_branch"),
    Ent("commit history", {"get": "repo branch limit?"}, {"commits": "$int:1:500"}),
    Ent("build status", {"check": "repo branch"}, {"status": "$choice:passing|failing|running"}),
    Ent("repository", {"search": "query prog_language? sort_order?"}, {"stars": "$int:0:90000"},
        stem="code_repo"),
    Ent("release notes", {"generate": "repo image_tag"}, {"entries": "$int:2:60"}, are=True),
)

# --- social media --------------------------------------------------------------------------------
role("post_text", S("Post text."), pool("post_texts", quote=True), ["saying {v}", "with the text {v}"],
     ["The post says {v}."], ["Write {v}."], "a post text", param="text")
role("hashtags", A("Hashtags.", {"type": "string"}), listof(pool("hashtags"), 1, 3), ["with {v}"],
     ["Use {v}."], ["Add {v}."], "hashtags")
role("follow_handle", S("Account handle."), pool("usernames"), ["@{v}"], ["The account is @{v}."], ["It's @{v}."],
     "an account handle", param="handle")
role("hashtag", S("Hashtag."), pool("hashtags"), ["for {v}", "under {v}"], ["The hashtag is {v}."],
     ["Use {v}."], "a hashtag")
role("handle", S("Account handle."), pool("usernames"), ["for @{v}", "of @{v}"], ["The account is @{v}."],
     ["It's @{v}."], "an account handle")
idrole("post_id", "Post", "PST-#########")
role("visibility", E("Who can see it.", ["public", "followers", "private"]),
     enum({"followers": ["followers only", "just my followers"], "private": ["private", "only me"]}),
     ["visible to {v}", "as {v}"], ["Make it {v}."], ["Make it {v}."], "a visibility")
role("comment_text", S("Comment text."), {"kind": "choice", "quote": True, "values": words(
    "Congrats, well deserved!|This is so helpful, thanks|Love this view|Can't wait to try it|See you there!")},
     ["saying {v}"], ["Write {v}."], ["Say {v}."], "a comment", param="text")
role("publish_time", S("When to publish, ISO 8601 date and HH:MM."), {"kind": "time"}, ["at {v}"],
     ["Post it at {v}."], ["Publish at {v}."], "a publish time", param="time")
domain(
    "social_media", "social",
    Ent("social post", {"publish": "post_text hashtags? visibility?", "delete": "post_id",
                        "schedule": "post_text date publish_time hashtags?"}, stem="post"),
    Ent("post comment", {"add": "post_id comment_text"}, stem="comment"),
    Ent("post analytics", {"get": "post_id"}, {"likes": "$int:0:90000", "shares": "$int:0:9000"}, are=True),
    Ent("account", {"follow": "follow_handle", "mute": "follow_handle days?"}, stem="social_account"),
    Ent("trending hashtag", {"list": "country limit?"}, {"tag": "$choice:#foodie|#techtalk"}),
    Ent("hashtag post", {"search": "hashtag limit? sort_order?"}, {"text": "$choice:Morning run done|New menu"}),
    Ent("follower count", {"get": "handle"}, {"followers": "$int:0:900000"}),
    Ent("social profile", {"get": "handle", "update": "handle status_text"}, {"bio": "$choice:Runner|Chef"}),
    Ent("direct message", {"list": "handle limit?"}, {"text": "$choice:Hi!|Thanks"}, stem="social_dm"),
)

# --- education -----------------------------------------------------------------------------------
role("course", S("Course title."), pool("courses"), ["{v}"], ["The course is {v}.",
     "I'm taking {v}."], ["It's {v}."], "a course")
role("graded_course", S("Course title."), pool("courses"), ["in {v}", "for {v}"], ["The course is {v}.",
     "I'm taking {v}."], ["It's for {v}."], "a course", param="course")
role("attachment", S("File to submit."), pool("file_names"), ["with the file {v}", "attaching {v}"],
     ["The file is {v}."], ["Attach {v}."], "a file", param="file_name")
role("exam_date", S("Exam date" + DATE_DESC), date(), ["before my exam on {v}", "ahead of the exam on {v}"],
     ["My exam is on {v}."], ["The exam is on {v}."], "an exam date")
role("student_id", S("Student ID."), pattern("STU-######"), ["for student {v}", "for {v}"],
     ["My student ID is {v}."], ["Use student {v}."], "a student ID")
role("assignment", S("Assignment name."), {"kind": "choice", "quote": True, "values": words(
    "Essay 2|Lab Report 3|Problem Set 5|Final Project|Reading Response 4")}, ["called {v}", "{v}"],
     ["The assignment is {v}."], ["It's {v}."], "an assignment")
role("semester", E("Semester.", ["spring", "summer", "fall", "winter"]), enum(), ["for the {v} semester",
     "in {v}"], ["It's the {v} semester."], ["Use the {v} semester."], "a semester")
role("study_topic", S("Topic to study."), {"kind": "choice", "values": words(
    "photosynthesis|the French Revolution|quadratic equations|supply and demand|the water cycle|"
    "Newton's laws|cell division|the Roman Empire")}, ["on {v}", "about {v}"], ["I'm studying {v}."],
     ["The topic is {v}."], "a topic", param="topic")
role("question_count", I("Number of questions.", minimum=1, maximum=50), ints(3, 20, ["question", "questions"],
     True), ["with {v}"], ["I want {v}."], ["Make it {v}."], "a question count", param="questions")
role("grade_level", E("Grade level.", ["elementary", "middle_school", "high_school", "university"]),
     enum({"middle_school": ["middle school"], "high_school": ["high school"]}), ["for {v}", "at {v} level"],
     ["I'm in {v}."], ["Pitch it at {v} level."], "a grade level")
role("level", E("Course level.", ["beginner", "intermediate", "advanced"]), enum(), ["at {v} level"],
     ["I'm a {v}."], ["Only {v} courses."], "a level")
domain(
    "education", "edu",
    Ent("course", {"search": "query level? language?", "enroll": "course student_id", "get": "course"},
        {"title": "$choice:Data Visualization|Creative Writing", "weeks": "$int:2:16"}, stem="online_course"),
    Ent("course grade", {"get": "graded_course student_id semester?"}, {"grade": "$choice:A|B+|B|C"}),
    Ent("assignment", {"submit": "graded_course assignment attachment", "list": "graded_course student_id"},
        {"due": "$date"}, stem="coursework"),
    Ent("assignment deadline", {"get": "graded_course assignment"}, {"due": "$date"}),
    Ent("practice quiz", {"generate": "study_topic question_count grade_level?"}, {"questions": "$int:3:20"}),
    Ent("study plan", {"generate": "graded_course exam_date days?"}, {"sessions": "$int:3:30"}),
    Ent("class schedule", {"get": "student_id semester"}, {"classes": "$int:2:8"}),
    Ent("tutor session", {"book": "study_topic date time"}, stem="tutoring_session"),
    Ent("topic explanation", {"get": "study_topic grade_level"}, {"summary": "$choice:short|detailed"}),
    Ent("transcript", {"export": "student_id file_format?"}, stem="academic_transcript"),
)

# --- translation and language --------------------------------------------------------------------
role("text_to_translate", S("Text to translate."), pool("phrases", quote=True), ["{v}"], ["The text is {v}."],
     ["Translate {v}."], "a text", param="text")
role("text_to_check", S("Text to check."), pool("phrases", quote=True), ["for {v}", "on {v}"], ["The text is {v}."],
     ["Check {v}."], "a text", param="text")
role("accent_lang", S("Language code of the accent, e.g. es."), pool("lang_codes"), ["in {v}"],
     ["I'm learning {v}."], ["Say it in {v}."], "a language", param="language")
role("new_deck", S("Flashcard deck name."), {"kind": "choice", "quote": True, "values": words(
    "Travel Phrases|GRE Words|Kitchen Vocabulary|Business Terms|Verbs Week 3")}, ["called {v}", "named {v}"],
     ["The deck is {v}."], ["Call it {v}."], "a deck name", param="deck")
role("target_lang", S("Target language code, e.g. es."), pool("lang_codes"), ["into {v}", "to {v}"],
     ["I need it in {v}."], ["Put it into {v}."], "a target language", param="target_language")
role("source_lang", S("Source language code, e.g. fr."), pool("lang_codes"), ["from {v}"],
     ["It's written in {v}."], ["The original is in {v}."], "a source language", param="source_language")
role("formality", E("Tone of the translation.", ["formal", "informal"]), enum(), ["in a {v} tone"],
     ["Keep it {v}."], ["Keep the tone {v}."], "a tone")
role("word", S("Word."), pool("vocab"), ["of {v}", "for {v}"], ["The word is {v}."], ["The word is {v}."], "a word")
role("words_list", A("Words.", {"type": "string"}), listof(pool("vocab"), 2, 4), ["for {v}"], ["The words are {v}."],
     ["Include {v}."], "a list of words", param="words")
role("deck_name", S("Flashcard deck name."), {"kind": "choice", "quote": True, "values": words(
    "Travel Phrases|GRE Words|Kitchen Vocabulary|Business Terms|Verbs Week 3")}, ["in {v}", "from {v}"],
     ["The deck is {v}."], ["Use the deck {v}."], "a deck name", param="deck")
TRN = ["Translate {text} into {target_language}.", "How do you say {text} in {target_language}?",
       "Can you put {text} into {target_language}?", "Please translate {text} to {target_language}.",
       "I need {text} in {target_language}.", "What is {text} in {target_language}?",
       "I'm writing to a friend abroad. Could you translate {text} into {target_language} for me?",
       "Language help: {text}, translated to {target_language}, please."]
domain(
    "translation", "lang",
    Ent("text", {"translate": "text_to_translate target_lang source_lang? formality?"}, {"translation": "$choice:ok"},
        stem="text_passage", templates={"translate": TRN}),
    Ent("language", {"get": "text_to_translate"}, {"language": "$choice:es|fr|de", "confidence": "$num:0.5:1:2"},
        stem="detected_language", templates={"get": [
            "What language is {text}?", "Detect the language of {text}.", "Which language is {text} written in?",
            "Please identify the language of {text}.", "Someone sent me {text}. What language is that?",
            "Can you tell what language {text} is in?",
            "I found this note in an old book: {text}. Do you know which language it is?",
            "Language ID request for {text}, please."]}),
    Ent("word definition", {"get": "word language?"}, {"definition": "$choice:lasting a short time|kind"}),
    Ent("synonym", {"list": "word limit?"}, {"word": "$choice:fleeting|brief"}),
    Ent("pronunciation", {"get": "word accent_lang"}, {"ipa": "$choice:/ɪˈfem(ə)rəl/|/ˈluːsɪd/"}),
    Ent("flashcard", {"add": "words_list deck_name", "delete": "word deck_name"}),
    Ent("flashcard deck", {"create": "new_deck target_lang", "export": "new_deck file_format?"}),
    Ent("grammar check", {"get": "text_to_check source_lang?"}, {"issues": "$int:0:6"}, stem="grammar_report"),
)

# --- shipping ------------------------------------------------------------------------------------
role("tracking_number", S("Tracking number."), pattern("1Z##??####??##"), ["{v}", "with tracking number {v}"],
     ["The tracking number is {v}."], ["Use tracking number {v}."], "a tracking number")
role("carrier", S("Carrier name."), pool("shipping_carriers"), ["with {v}", "via {v}"], ["I ship with {v}."],
     ["Use {v}."], "a carrier")
role("parcel_weight", N("Parcel weight in kilograms.", minimum=0), nums(0.2, 30, 1, "kg"), ["weighing {v}"],
     ["It weighs {v}."], ["The parcel is {v}."], "a parcel weight", param="weight_kg")
role("parcel_dims", O("Parcel dimensions in centimeters.", {"length": I("Length."), "width": I("Width."),
                                                           "height": I("Height.")}),
     obj({"length": ints(10, 80), "width": ints(10, 60), "height": ints(5, 50)},
         ["{length} x {width} x {height} cm", "{length} by {width} by {height} centimeters"]),
     ["measuring {v}"], ["The box is {v}."], ["The box measures {v}."], "parcel dimensions", param="dimensions")
role("to_address", O("Delivery address.", {"street": S("Street and number."), "city": S("City."),
                                           "country": S("Country.")}),
     obj({"street": pool("streets"), "city": pool("cities"), "country": pool("countries")},
         ["{street}, {city}, {country}", "{street} in {city}, {country}"]),
     ["to {v}"], ["It goes to {v}."], ["Ship it to {v}."], "a delivery address")
role("service_level", E("Service level.", ["economy", "standard", "express", "overnight"]), enum(),
     ["with {v} service"], ["I want {v} service."], ["Use {v} service."], "a service level")
role("signature_required", B("Require a signature on delivery."), boolean(["with a signature required",
     "signature on delivery"], ["with no signature needed", "leave without signing"]), ["{v}"],
     ["Send it {v}."], ["Send it {v}."], "a signature flag")
role("warehouse", S("Warehouse code."), pool("warehouses"), ["at {v}", "in {v}"], ["It's stored at {v}."],
     ["Use {v}."], "a warehouse")
domain(
    "shipping", "ship",
    Ent("package", {"track": "tracking_number carrier?"}, {"status": "$choice:in transit|out for delivery|delivered",
                                                          "eta": "$date"}, stem="parcel"),
    Ent("shipping rate", {"quote": "parcel_weight to_address service_level? parcel_dims?"}, {"price": "$num:4:180:2"}),
    Ent("shipping label", {"create": "parcel_weight to_address carrier service_level? signature_required?"},
        {"label_url": "$id:https://labels.example.com/******.pdf"}),
    Ent("courier pickup", {"schedule": "address date carrier", "cancel": "tracking_number"}),
    Ent("delivery redirect", {"submit": "tracking_number to_address"}),
    Ent("customs form", {"generate": "tracking_number amount_usd country"}),
    Ent("drop-off point", {"find": "city carrier? limit?"}, {"name": "$choice:ParcelPoint Kiosk|QuickPost Store"},
        stem="dropoff_point"),
    Ent("warehouse stock", {"get": "sku warehouse"}, {"units": "$int:0:9000"}),
    Ent("delivery estimate", {"get": "carrier to_address service_level"}, {"days": "$int:1:14"}),
)

# --- events and tickets --------------------------------------------------------------------------
role("event_name", S("Event name."), {"kind": "choice", "values": words(
    "Harbor Jazz Festival|Luna Marquez Live|City Marathon Expo|Spring Food Fair|Tech Futures Summit|"
    "Open Air Cinema Night|Winter Craft Market|Comedy Under the Stars")}, ["for {v}", "to {v}"],
     ["I want to go to {v}.", "The event is {v}."], ["It's {v}."], "an event name", param="event")
role("venue", S("Venue name."), pool("venues"), ["at {v}"], ["It's at {v}."], ["Only at {v}."], "a venue")
role("event_category", E("Event category.", ["concert", "theater", "sports", "festival", "conference",
                                             "comedy", "exhibition"]), enum(), ["for {v} events", "in {v}"],
     ["I'm into {v}."], ["Only {v} events."], "a category", param="category")
role("ticket_tier", E("Ticket tier.", ["general", "reserved", "vip", "student"]), enum({"vip": ["VIP"]}),
     ["in the {v} tier", "as {v} tickets"], ["We want {v} tickets."], ["Make them {v} tickets."], "a ticket tier",
     param="tier")
idrole("ticket_order_id", "Ticket order", "TKT-#######", "order_id")
role("max_ticket_price", N("Maximum price per ticket in US dollars.", minimum=0), nums(15, 300, 0, None, "$"),
     ["under {v} a ticket"], ["I'll pay at most {v} per ticket."], ["Keep it under {v} a ticket."],
     "a maximum ticket price", param="max_price")
role("rsvp_answer", E("RSVP answer.", ["yes", "no", "maybe"]),
     enum({"yes": ["yes", "attending"], "no": ["no", "not attending"], "maybe": ["maybe", "a tentative maybe"]}),
     ["with {v}"], ["My answer is {v}."], ["Answer {v}."], "an RSVP answer", param="response")
domain(
    "events", "events",
    Ent("local event", {"search": "city date event_category? max_ticket_price?", "recommend": "city event_category"},
        {"name": "$choice:Harbor Jazz Festival|Spring Food Fair", "date": "$date"}),
    Ent("event ticket", {"buy": "event_name tickets ticket_tier?", "list": "email"}, {"seat": "$choice:GA|B14"}),
    Ent("ticket order", {"cancel": "ticket_order_id", "get": "ticket_order_id", "share": "ticket_order_id email"},
        {"status": "confirmed"}),
    Ent("event details", {"get": "event_name"}, {"venue": "$choice:Riverside Arena|Old Mill Hall",
                                                 "starts": "$choice:19:30|20:00"}, are=True),
    Ent("venue schedule", {"get": "venue start_date end_date?"}, {"events": "$int:0:30"}),
    Ent("event RSVP", {"submit": "event_name rsvp_answer guests?"}, stem="event_rsvp"),
    Ent("ticket resale listing", {"create": "ticket_order_id amount_usd"}, stem="resale_listing"),
    Ent("seat map", {"get": "event_name ticket_tier?"}, {"available": "$int:0:400"}),
    Ent("event reminder", {"create": "event_name reminder_minutes"}),
)

# --- gaming --------------------------------------------------------------------------------------
role("game", S("Game title."), pool("games"), ["for {v}", "in {v}"], ["I play {v}.", "The game is {v}."],
     ["It's {v}."], "a game")
role("platform", E("Gaming platform.", ["pc", "playstation", "xbox", "switch", "mobile"]),
     enum({"pc": ["PC"], "playstation": ["PlayStation"], "xbox": ["Xbox"], "switch": ["Switch"]}),
     ["on {v}"], ["I play on {v}."], ["Only {v}."], "a platform")
role("gamer_tag", S("Player tag."), pool("usernames"), ["for {v}", "for the player {v}"],
     ["My tag is {v}."], ["The player is {v}."], "a player tag", param="player")
role("game_mode", E("Game mode.", ["solo", "duo", "squad", "ranked", "casual"]), enum(), ["in {v} mode"],
     ["I want {v} mode."], ["Use {v} mode."], "a game mode", param="mode")
role("skill_rating", I("Skill rating.", minimum=0, maximum=5000), ints(500, 3500, None, step=50),
     ["around rating {v}"], ["My rating is {v}."], ["Match around rating {v}."], "a skill rating", param="rating")
role("game_genre", E("Game genre.", ["rpg", "strategy", "shooter", "puzzle", "racing", "simulation"]),
     enum({"rpg": ["RPG", "role-playing"]}), ["in the {v} genre", "of the {v} kind"], ["I like {v} games."],
     ["Only {v} games."], "a genre", param="genre")
role("max_game_price", N("Maximum price in US dollars.", minimum=0), nums(5, 70, 2, None, "$"),
     ["under {v}"], ["My budget is {v}."], ["Keep it under {v}."], "a maximum price", param="max_price")
domain(
    "gaming", "games",
    Ent("player profile", {"get": "gamer_tag platform?"}, {"level": "$int:1:500", "hours": "$int:0:9000"}),
    Ent("game leaderboard", {"get": "game game_mode? limit?"}, {"top": "$choice:neo_rex|luna_42"}),
    Ent("achievement", {"list": "game gamer_tag"}, {"name": "$choice:First Blood|Speed Runner"}),
    Ent("multiplayer match", {"start": "game game_mode skill_rating?"}, stem="match"),
    Ent("game deal", {"search": "platform game_genre? max_game_price?"}, {"discount": "$int:10:90"}),
    Ent("game", {"buy": "game platform", "recommend": "game_genre platform?"}, {"price": "$num:5:70:2"},
        stem="video_game"),
    Ent("friend request", {"send": "gamer_tag"}, stem="gaming_friend_request"),
    Ent("server status", {"check": "game region?"}, {"online": "$bool", "players": "$int:0:900000"}),
    Ent("game stats", {"get": "gamer_tag game season?"}, {"wins": "$int:0:900", "kd": "$num:0.2:4:2"},
        are=True, stem="player_game_stats"),
    Ent("gaming session", {"schedule": "game date time members?"}),
)

# --- pets ----------------------------------------------------------------------------------------
role("pet_name", S("Pet's name."), pool("pet_names"), ["for {v}", "for my pet {v}"], ["My pet is {v}.",
     "This is about {v}."], ["It's for {v}."], "a pet name", param="pet")
role("dog_breed", S("Dog breed."), pool("dog_breeds"), ["for a {v}", "of a {v}"], ["I have a {v}."],
     ["The breed is {v}."], "a breed", param="breed")
role("pet_species", E("Kind of animal.", ["dog", "cat", "rabbit", "bird", "hamster"]), enum(), ["for a {v}"],
     ["It's a {v}."], ["It's a {v}."], "a species", param="species")
role("vet_reason", E("Reason for the visit.", ["checkup", "vaccination", "dental", "injury", "illness"]),
     enum({"checkup": ["a checkup"], "vaccination": ["vaccinations", "a vaccination"], "dental": ["a dental cleaning"],
           "injury": ["an injury"], "illness": ["an illness"]}),
     ["for {v}"], ["It's for {v}."], ["It's for {v}."], "a reason", param="reason")
role("pet_weight", N("Pet weight in kilograms.", minimum=0), nums(1, 50, 1, "kg"), ["weighing {v}"],
     ["My pet weighs {v}."], ["The pet weighs {v}."], "a weight", param="weight_kg")
role("pet_age", I("Pet age in years.", minimum=0, maximum=30), ints(1, 15, ["year old", "years old"]),
     ["aged {v}", "who is {v}"], ["My pet is {v}."], ["The pet is {v}."], "an age", param="age_years")
role("walk_minutes", I("Walk length in minutes.", minimum=10), ints(15, 90, "minutes", step=15),
     ["for {v}"], ["The walk should be {v}."], ["Make it {v}."], "a walk length", param="minutes")
domain(
    "pets", "pets",
    Ent("vet appointment", {"book": "pet_name vet_reason date time", "cancel": "appointment_id"}),
    Ent("veterinary clinic", {"find": "city pet_species?"}, {"name": "$choice:Paws & Claws|City Vet"}),
    Ent("pet vaccination record", {"get": "pet_name"}, {"due": "$date"}),
    Ent("feeding schedule", {"create": "pet_name pet_weight times_per_day", "get": "pet_name"},
        {"grams_per_meal": "$int:20:600"}),
    Ent("breed information", {"get": "dog_breed"}, {"energy": "$choice:low|medium|high"}, stem="breed_info"),
    Ent("adoptable pet", {"search": "city pet_species pet_age?"}, {"name": "$choice:Biscuit|Olive"}),
    Ent("dog walker", {"book": "pet_name date time walk_minutes"}, stem="dog_walk"),
    Ent("pet sitter", {"find": "city start_date end_date pet_species?"}, {"rate": "$num:15:80:2"}),
    Ent("pet food portion", {"calculate": "pet_species pet_weight pet_age?"}, {"grams_per_day": "$int:20:900"}),
    Ent("lost pet report", {"create": "pet_name pet_species city date"}),
)

# --- energy and utilities ------------------------------------------------------------------------
role("utility", S("Utility type."), pool("utilities"), ["for {v}", "on {v}"], ["It's about {v}.",
     "The utility is {v}."], ["It's {v}."], "a utility", param="utility")
idrole("meter_id", "Meter", "MTR-#######")
role("meter_reading", N("Meter reading value.", minimum=0), nums(1000, 99999, 1), ["of {v}", "at {v}"],
     ["The meter shows {v}."], ["The reading is {v}."], "a reading", param="reading")
role("energy_source", S("Energy source."), pool("energy_sources"), ["from {v}", "for {v}"],
     ["I want {v} power."], ["Use {v}."], "an energy source", param="source")
role("panel_kw", N("Solar array size in kilowatts.", minimum=0), nums(2, 15, 1, "kW"), ["for a {v} system",
     "with {v} of panels"], ["My system is {v}."], ["Size it at {v}."], "a system size", param="system_kw")
role("monthly_kwh", I("Monthly usage in kilowatt-hours.", minimum=0), ints(150, 1500, "kWh", step=10),
     ["using {v} a month"], ["We use {v} a month."], ["Usage is {v} a month."], "a monthly usage",
     param="kwh_per_month")
role("tariff", E("Tariff plan.", ["flat", "time_of_use", "green", "prepaid"]),
     enum({"time_of_use": ["time-of-use"]}), ["to the {v} tariff"], ["I want the {v} tariff."],
     ["Switch to the {v} tariff."], "a tariff", param="plan")
role("outage_zip", S("Postal code."), pattern("#####"), ["in {v}", "for postal code {v}"],
     ["My postal code is {v}."], ["The postal code is {v}."], "a postal code", param="postal_code")
domain(
    "energy", "energy",
    Ent("meter reading", {"submit": "meter_id meter_reading date?"}),
    Ent("utility bill", {"get": "utility statement_month", "compare": "utility statement_month"},
        {"amount": "$num:20:600:2", "due": "$date"}, stem="energy_bill"),
    Ent("power outage", {"report": "address", "check": "outage_zip"}, {"status": "$choice:none|reported|restoring",
                                                                       "eta": "$choice:1 hour|3 hours"}),
    Ent("electricity price", {"get": "country date"}, {"cents_per_kwh": "$num:5:60:2"}, stem="power_price"),
    Ent("solar savings", {"estimate": "city panel_kw monthly_kwh?"}, {"yearly_usd": "$int:100:4000"}),
    Ent("energy usage", {"get": "meter_id start_date end_date?"}, {"kwh": "$num:10:3000:1"}),
    Ent("tariff plan", {"update": "meter_id tariff"}, stem="energy_tariff"),
    Ent("grid energy mix", {"get": "country"}, {"renewable_percent": "$num:5:99:1"}),
    Ent("carbon footprint", {"calculate": "monthly_kwh energy_source"}, {"kg_co2": "$num:10:900:1"}),
)

# --- images --------------------------------------------------------------------------------------
role("image_subject", S("What the image shows."), pool("image_subjects", quote=True), ["of {v}", "showing {v}"],
     ["I'm picturing {v}."], ["It should show {v}."], "a subject", param="prompt")
role("image_style", S("Art style."), pool("image_styles"), ["in {v} style", "as {v}"], ["I like {v}."],
     ["Make it {v}.", "Use a {v} style."], "a style", param="style")
role("aspect_ratio", E("Aspect ratio.", ["1:1", "4:3", "16:9", "9:16"]), enum(), ["at {v}"],
     ["Make it {v}."], ["Use a {v} aspect ratio."], "an aspect ratio")
role("image_file", S("Image file name."), {"kind": "choice", "values": words(
    "vacation_photo.jpg|profile.png|team_offsite.jpg|product_shot.png|sunset.jpg|scan_001.png")},
     ["of {v}", "for {v}"], ["The image is {v}."], ["Use {v}."], "an image file", param="image")
role("width_px", I("Width in pixels.", minimum=16, maximum=8000), ints(200, 4000, "pixels", step=50),
     ["to {v} wide"], ["Make it {v} wide."], ["Make it {v} wide."], "a width", param="width")
role("filter_name", E("Photo filter.", ["grayscale", "sepia", "vivid", "warm", "cool", "vintage"]), enum(),
     ["with the {v} filter"], ["Use the {v} filter."], ["Apply {v}."], "a filter", param="filter")
role("image_target_format", E("Target image format.", ["png", "jpg", "webp", "gif"]),
     enum({"png": ["PNG"], "jpg": ["JPEG", "JPG"], "webp": ["WebP"], "gif": ["GIF"]}), ["to {v}", "into {v}"],
     ["I need it as {v}."], ["Save it as {v}."], "a target format", param="target_format")
role("image_count", I("Number of images.", minimum=1, maximum=8), ints(1, 4, ["image", "images"], True),
     ["({v})"], ["I want {v}."], ["Make {v}."], "an image count", param="count")
domain(
    "images", "img",
    Ent("image", {"generate": "image_subject image_style? aspect_ratio? image_count?"}, stem="ai_image"),
    Ent("image variation", {"generate": "image_file image_style?"}),
    Ent("image size", {"update": "image_file width_px"}, stem="image_dimensions"),
    Ent("photo filter", {"set": "image_file filter_name"}, stem="photo_filter"),
    Ent("image background", {"delete": "image_file"}, stem="image_background"),
    Ent("image caption", {"generate": "image_file language?"}, {"caption": "$choice:A dog on a beach|A city at night"}),
    Ent("stock photo", {"search": "query aspect_ratio? limit?"}, {"url": "$id:https://photos.example.com/******"}),
    Ent("image metadata", {"get": "image_file"}, {"camera": "$choice:Pixel 8|Canon R6", "taken": "$date"}),
    Ent("image format", {"convert": "image_file image_target_format"}, stem="image_file_format"),
)

# --- geography -----------------------------------------------------------------------------------
role("country_name", S("Country name."), pool("countries"), ["of {v}", "for {v}"], ["I'm reading about {v}.",
     "The country is {v}."], ["It's {v}."], "a country", param="country")
role("countries", A("Country names.", {"type": "string"}), listof(pool("countries"), 2, 3), ["for {v}",
     "between {v}"], ["The countries are {v}."], ["Include {v}."], "a list of countries")
role("city_a", S("First city."), pool("cities"), ["from {v}"], ["I'm in {v}."],
     ["Start from {v}."], "a first city", param="from_city")
role("city_b", S("Second city."), differs(pool("cities"), "from_city"), ["to {v}"], ["The other city is {v}."],
     ["End at {v}."], "a second city", param="to_city")
role("distance_unit", E("Distance unit.", ["km", "miles"]), enum({"km": ["kilometers", "km"],
                                                                  "miles": ["miles"]}), ["in {v}"],
     ["I think in {v}."], ["Give it in {v}."], "a distance unit", param="unit")
domain(
    "geography", "geo",
    Ent("country profile", {"get": "country_name include_details?"}, {"capital": "$choice:Lisbon|Nairobi",
                                                                      "population_m": "$num:0.3:1400:1"}),
    Ent("country capital", {"get": "country_name"}, {"capital": "$choice:Lisbon|Ottawa|Nairobi"}),
    Ent("country comparison", {"get": "countries"}, {"larger": "$choice:first|second"}),
    Ent("city distance", {"calculate": "city_a city_b distance_unit?"}, {"distance": "$num:5:19000:1"}),
    Ent("city population", {"get": "city"}, {"population": "$int:50000:38000000"}),
    Ent("neighboring country", {"list": "country_name"}, {"name": "$choice:Spain|Chile"},
        plural="neighboring countries"),
    Ent("elevation", {"get": "coordinates"}, {"meters": "$int:-30:4800"}, stem="ground_elevation"),
    Ent("local time", {"get": "city"}, {"time": "$choice:09:14|22:41", "utc_offset": "$choice:+01:00|-05:00"},
        stem="city_local_time"),
    Ent("national holiday", {"list": "country_name year"}, {"name": "$choice:Independence Day|New Year"}),
)

# --- tourism -------------------------------------------------------------------------------------
role("attraction", S("Attraction name."), pool("landmarks"), ["for the {v}", "at the {v}"], ["I'm visiting the {v}.",
     "The attraction is the {v}."], ["It's the {v}."], "an attraction")
role("park", S("National park name."), pool("parks"), ["in {v}", "for {v}"], ["We're going to {v}.",
     "The park is {v}."], ["It's {v}."], "a park")
role("budget_level", E("Budget level.", ["budget", "moderate", "luxury"]), enum(), ["on a {v} budget"],
     ["We're traveling on a {v} budget."], ["Keep it {v}."], "a budget level", param="budget")
role("trip_days", I("Trip length in days.", minimum=1, maximum=30), ints(2, 14, ["day", "days"], True),
     ["for {v}", "over {v}"], ["The trip is {v}."], ["Plan {v}."], "a trip length", param="days")
role("interests", A("Traveler interests.", {"type": "string", "enum": ["museums", "food", "nature", "nightlife",
                                                                      "history", "shopping", "beaches"]}),
     listof(enum(), 1, 3), ["focused on {v}"], ["We love {v}."], ["We're into {v}."], "interests")
role("tour_language", S("Tour language."), pool("languages"), ["in {v}"], ["We speak {v}."],
     ["The tour should be in {v}."], "a language", param="language")
role("citizenship", S("Traveler's citizenship (country)."), pool("countries"), ["for a citizen of {v}",
     "for {v} passport holders"], ["I hold a {v} passport."], ["I'm a citizen of {v}."], "a citizenship")
role("trail_difficulty", E("Trail difficulty.", ["easy", "moderate", "strenuous"]), enum(), ["that are {v}"],
     ["We want something {v}."], ["Keep it {v}."], "a difficulty", param="difficulty")
domain(
    "tourism", "tour",
    Ent("travel itinerary", {"generate": "city trip_days interests? budget_level?"}, {"stops": "$int:4:40"}),
    Ent("attraction ticket", {"book": "attraction date tickets"}, {"entry_time": "$choice:09:00|13:30"}),
    Ent("attraction hours", {"get": "attraction date"}, {"open": "09:00", "close": "18:00"}, are=True),
    Ent("guided tour", {"search": "city date tour_language?", "book": "attraction date guests tour_language?"},
        {"name": "$choice:Old Town Walk|Food Crawl", "price": "$num:10:150:2"}),
    Ent("hiking trail", {"find": "park trail_difficulty? limit?"}, {"name": "$choice:Ridge Loop|Falls Trail",
                                                                    "km": "$num:1:30:1"}),
    Ent("park permit", {"check": "park date"}, {"required": "$bool", "available": "$int:0:50"}),
    Ent("visa requirement", {"check": "citizenship country_name"}, {"visa": "$choice:not required|e-visa|required"},
        stem="visa_rule"),
    Ent("travel advisory", {"get": "country_name"}, {"level": "$int:1:4"}),
    Ent("packing list", {"generate": "city trip_days interests?"}, {"items": "$int:10:60"}),
    Ent("local phrase", {"list": "city limit?"}, {"phrase": "$choice:Obrigado|Kiitos"}),
)

# --- vehicles ------------------------------------------------------------------------------------
role("vehicle", S("Vehicle, year make model."), pool("vehicles"), ["for my {v}", "for the {v}"],
     ["I drive a {v}.", "The car is a {v}."], ["The car is a {v}."], "a vehicle")
role("mileage_km", I("Odometer reading in kilometers.", minimum=0), ints(1000, 250000, "km", step=500),
     ["at {v}", "with {v} on the clock"], ["It has {v} on it."], ["The odometer says {v}."], "a mileage",
     param="odometer_km")
role("service_type", E("Service type.", ["oil_change", "tire_rotation", "brake_inspection", "battery",
                                         "full_service"]),
     enum({"oil_change": ["an oil change"], "tire_rotation": ["a tire rotation"],
           "brake_inspection": ["a brake inspection"], "battery": ["a battery check"],
           "full_service": ["a full service"]}), ["for {v}"], ["It needs {v}."], ["It's for {v}."],
     "a service type", param="service")
role("vin", S("Vehicle identification number."), pattern("1HG??####??######"), ["{v}", "with VIN {v}"],
     ["The VIN is {v}."], ["The VIN is {v}."], "a VIN")
role("plate", S("License plate."), pattern("???-####"), ["with plate {v}", "for plate {v}"],
     ["My plate is {v}."], ["The plate is {v}."], "a license plate")
role("fuel_type", E("Fuel type.", ["regular", "premium", "diesel", "electric"]), enum(), ["for {v}"],
     ["I need {v}."], ["Only {v}."], "a fuel type")
role("fuel_liters", N("Fuel used in liters.", minimum=0), nums(5, 80, 1, "liters"), ["using {v}", "on {v}"],
     ["I used {v} of fuel."], ["It took {v}."], "a fuel amount", param="fuel_used_liters")
role("parking_hours", I("Parking duration in hours.", minimum=1, maximum=72), ints(1, 12, ["hour", "hours"], True),
     ["for {v}"], ["I need it for {v}."], ["Park for {v}."], "a parking duration", param="hours")
domain(
    "vehicles", "auto",
    Ent("car service", {"book": "vehicle service_type date", "get": "vehicle mileage_km"},
        {"shop": "$choice:Harbor Auto|QuickLube", "due_km": "$int:1000:20000"}, stem="vehicle_service"),
    Ent("vehicle recall", {"check": "vin"}, {"open_recalls": "$int:0:3"}),
    Ent("vehicle history", {"get": "vin"}, {"owners": "$int:1:5", "accidents": "$int:0:3"}),
    Ent("trade-in value", {"estimate": "vehicle mileage_km"}, {"value": "$int:1000:60000"}, stem="trade_in_value"),
    Ent("fuel station", {"find": "coordinates fuel_type? radius_km?"}, {"price": "$num:1:3:3"}),
    Ent("EV charger", {"find": "coordinates radius_km? limit?"}, {"kw": "$choice:22|50|150"}, stem="ev_charger"),
    Ent("parking spot", {"book": "city date time parking_hours", "find": "coordinates radius_km?"},
        {"price": "$num:2:60:2"}),
    Ent("parking ticket", {"pay": "plate amount_usd"}, stem="parking_fine"),
    Ent("fuel economy", {"calculate": "distance_km fuel_liters"}, {"l_per_100km": "$num:3:18:1"}),
    Ent("car registration", {"renew": "plate email", "check": "plate"}, {"expires": "$date"},
        stem="vehicle_registration"),
)

# --- legal ---------------------------------------------------------------------------------------
role("legal_area", S("Area of law."), pool("legal_areas"), ["in {v}", "for {v}"], ["My issue is about {v}."],
     ["It's a {v} matter."], "an area of law", param="practice_area")
role("document_type", S("Document type."), pool("document_types"), ["for a {v}", "of a {v}"],
     ["I need a {v}."], ["It's a {v}."], "a document type")
role("jurisdiction", S("Country or state whose law applies."), pool("countries"), ["under {v} law",
     "in {v}"], ["We're in {v}."], ["Use {v} law."], "a jurisdiction")
role("party_names", A("Names of the parties.", {"type": "string"}), listof(pool("people"), 2, 2),
     ["between {v}"], ["The parties are {v}."], ["The parties are {v}."], "the parties", param="parties")
role("defendant", S("Name of the party being sued."), pool("people"), ["against {v}"], ["I'm suing {v}."],
     ["The other party is {v}."], "a defendant")
idrole("case_number", "Case", "CV-####-#####")
role("contract_file", S("Contract file name."), {"kind": "choice", "values": words(
    "lease_2025.pdf|nda_brightlane.docx|employment_offer.pdf|services_agreement.docx")}, ["{v}", "in {v}"],
     ["The file is {v}."], ["Use {v}."], "a contract file", param="file")
domain(
    "legal", "legal",
    Ent("lawyer", {"find": "city legal_area language?"}, {"name": "$choice:Amina Sowe|Rafael Ortega"},
        stem="attorney"),
    Ent("legal document", {"generate": "document_type jurisdiction party_names"}, stem="legal_template"),
    Ent("contract review", {"analyze": "contract_file jurisdiction?"}, {"risky_clauses": "$int:0:9"}),
    Ent("court case status", {"get": "case_number"}, {"status": "$choice:filed|hearing set|closed",
                                                      "next_hearing": "$date"}),
    Ent("legal consultation", {"book": "legal_area date time"}, stem="legal_consultation"),
    Ent("statute of limitations", {"get": "legal_area jurisdiction"}, {"years": "$int:1:20"}),
    Ent("small claim", {"submit": "defendant amount_usd incident_description"}),
    Ent("court filing deadline", {"calculate": "case_number date"}, {"deadline": "$date"}),
)

# --- government services -------------------------------------------------------------------------
role("permit_type", S("Permit type."), pool("permit_types"), ["for a {v}"], ["I need a {v}.",
     "It's a {v}."], ["It's a {v}."], "a permit type")
idrole("permit_application_id", "Permit application", "PMT-######", "application_id")
role("passport_number", S("Passport number."), pattern("P########"), ["{v}", "with number {v}"],
     ["My passport number is {v}."], ["The passport is {v}."], "a passport number")
role("office_service", E("Office service.", ["passport", "drivers_license", "id_card", "vehicle_title",
                                             "voter_registration"]),
     enum({"drivers_license": ["driver's license"], "id_card": ["ID card"], "vehicle_title": ["vehicle title"],
           "voter_registration": ["voter registration"]}), ["for a {v}", "for {v}"], ["I need help with my {v}."],
     ["It's about my {v}."], "a service", param="service")
role("tax_income", N("Annual taxable income in US dollars.", minimum=0), nums(15000, 400000, 0, None, "$"),
     ["on {v}", "for an income of {v}"], ["I earn {v} a year."], ["My income is {v}."], "an income",
     param="income")
role("filing_status", E("Tax filing status.", ["single", "married_joint", "married_separate", "head_of_household"]),
     enum({"married_joint": ["married filing jointly"], "married_separate": ["married filing separately"],
           "head_of_household": ["head of household"]}), ["filing as {v}"], ["I file as {v}."],
     ["I file as {v}."], "a filing status")
idrole("service_request_id", "Service request", "SR-######", "request_id")
role("complaint_text", S("Description of the problem."), {"kind": "choice", "quote": True, "values": words(
    "Pothole on the corner is getting worse|Streetlight out for a week|Overflowing trash bins in the park|"
    "Graffiti on the underpass|Broken bench at the bus stop")}, ["saying {v}", "about {v}"],
     ["The problem: {v}."], ["Describe it as {v}."], "a description", param="description")
domain(
    "government", "gov",
    Ent("permit application", {"submit": "permit_type address start_date", "track": "permit_application_id"},
        {"status": "$choice:received|under review|approved"}),
    Ent("permit fee", {"get": "permit_type city"}, {"fee": "$num:10:900:2"}),
    Ent("passport renewal", {"submit": "passport_number address"}, stem="passport_renewal"),
    Ent("government office appointment", {"book": "office_service city date time"}, stem="office_visit"),
    Ent("income tax", {"estimate": "tax_income filing_status"}, {"tax": "$num:0:150000:2"},
        stem="income_tax_bill"),
    Ent("city service request", {"submit": "complaint_text address", "track": "service_request_id"}, stem="city_service_request"),
    Ent("polling place", {"find": "property_address"}, {"name": "$choice:Lincoln School Gym|Civic Library"}),
    Ent("public record", {"search": "contact_name city"}, {"type": "$choice:property deed|business filing"}),
)

# --- human resources -----------------------------------------------------------------------------
idrole("employee_id", "Employee", "EMP-#####")
role("department", S("Department."), pool("departments"), ["in {v}", "for {v}"], ["I work in {v}.",
     "The department is {v}."], ["Only {v}."], "a department")
role("leave_type", E("Leave type.", ["vacation", "sick", "parental", "unpaid", "bereavement"]), enum(),
     ["as {v} leave", "for {v} leave"], ["It's {v} leave."], ["Count it as {v} leave."], "a leave type")
idrole("leave_request_id", "Leave request", "LV-######", "request_id")
role("job_role", S("Job title."), pool("job_titles"), ["as a {v}", "for the {v} role"], ["The role is {v}."],
     ["The role is {v}."], "a job title", param="title")
role("salary", N("Yearly salary in US dollars.", minimum=0), nums(30000, 250000, 0, None, "$"),
     ["at {v}", "with a salary of {v}"], ["The salary is {v}."], ["Pay {v} a year."], "a salary")
role("candidate", S("Candidate's full name."), pool("people"), ["for {v}"], ["The candidate is {v}."],
     ["It's for {v}."], "a candidate", param="candidate_name")
role("review_score", I("Performance score from 1 to 5.", minimum=1, maximum=5), ints(1, 5, None),
     ["with a score of {v}"], ["I'd score them {v}."], ["Give a score of {v}."], "a score", param="score")
role("hours_worked", N("Hours worked.", minimum=0, maximum=24), nums(1, 12, 1, "hours"), ["for {v}",
     "logging {v}"], ["I worked {v}."], ["Log {v}."], "hours worked", param="hours")
role("review_note", S("Free-text note."), {"kind": "choice", "quote": True, "values": words(
    "Strong quarter, led the migration|Needs to improve estimates|Great mentor to new hires|Consistently meets deadlines")}, ["with the note {v}"], ["My comment: {v}."], ["Add the note {v}.", "Include the note {v}."],
     "a note", param="note")
domain(
    "hr", "hr",
    Ent("employee record", {"get": "employee_id", "update": "employee_id department job_role",
                            "create": "contact_name email department job_role start_date"},
        {"name": "$choice:Maria Lopez|Kenji Tanaka", "department": "$choice:sales|legal"}, stem="employee"),
    Ent("leave request", {"submit": "employee_id leave_type start_date end_date", "approve": "leave_request_id",
                          "cancel": "leave_request_id"}, {"status": "$choice:pending|approved"}),
    Ent("leave balance", {"get": "employee_id leave_type?"}, {"days_left": "$num:0:30:1"}),
    Ent("payslip", {"get": "employee_id statement_month"}, {"net": "$num:1000:15000:2"}),
    Ent("job offer", {"generate": "candidate job_role salary start_date"}),
    Ent("performance review", {"submit": "employee_id review_score review_note?"}),
    Ent("timesheet entry", {"add": "employee_id date hours_worked"}, stem="timesheet_entry"),
    Ent("team directory", {"list": "department limit?"}, {"name": "$choice:Omar Haddad|Grace Walsh"},
        plural="department employees"),
    Ent("org chart", {"get": "department"}, {"levels": "$int:2:7"}),
)

# --- IT helpdesk ---------------------------------------------------------------------------------
idrole("ticket_id", "Ticket", "INC-######")
role("ticket_topic", S("Short summary of the problem."), pool("tickets_topics"), ["about a {v}", "for a {v}"],
     ["I have a {v}.", "The problem is a {v}."], ["It's a {v}."], "a problem summary", param="summary")
role("ticket_status", E("Ticket status.", ["open", "in_progress", "waiting", "resolved"]),
     enum({"in_progress": ["in progress"], "waiting": ["waiting on the customer"]}), ["to {v}"],
     ["Set it to {v}."], ["Mark it {v}."], "a status", param="status")
role("agent", S("Support agent username."), pool("usernames"), ["to {v}"], ["Give it to {v}."],
     ["Assign it to {v}."], "an agent")
role("reply_text", S("Reply text."), pool("messages", quote=True), ["saying {v}", "with {v}"],
     ["Tell them {v}."], ["Reply {v}."], "a reply", param="message")
role("app_name", S("Application name."), pool("apps"), ["for {v}", "to {v}"], ["I need {v}.",
     "The app is {v}."], ["It's {v}."], "an application", param="app")
domain(
    "helpdesk", "support",
    Ent("support ticket", {"create": "ticket_topic email priority?", "get": "ticket_id", "close": "ticket_id",
                           "list": "ticket_status? email limit?"}, {"status": "$choice:open|resolved"},
        stem="ticket"),
    Ent("ticket status", {"update": "ticket_id ticket_status"}),
    Ent("ticket", {"assign": "ticket_id agent"}, stem="ticket_owner"),
    Ent("ticket reply", {"send": "ticket_id reply_text"}),
    Ent("password reset link", {"send": "username"}, stem="password_reset"),
    Ent("software access request", {"submit": "username app_name"}, stem="access_request"),
    Ent("knowledge base article", {"search": "query limit?"}, {"title": "$choice:Reset your VPN|Set up MFA"},
        stem="kb_article"),
    Ent("system outage", {"list": "region"}, {"service": "$choice:Email|VPN", "since": "$date"},
        plural="active incidents"),
    Ent("laptop replacement", {"order": "employee_id email"}, stem="laptop_replacement"),
)

# --- web analytics -------------------------------------------------------------------------------
role("site", S("Website domain."), pool("domains_web"), ["for {v}", "on {v}"], ["My site is {v}.",
     "The site is {v}."], ["It's {v}."], "a website", param="site")
role("metric", S("Metric name."), pool("metrics"), ["for {v}", "of {v}"], ["I track {v}."], ["Show {v}."],
     "a metric")
role("metrics_list", A("Metrics.", {"type": "string"}), listof(pool("metrics"), 2, 3), ["for {v}", "covering {v}"],
     ["I care about {v}."], ["Include {v}."], "a list of metrics", param="metrics")
role("granularity", E("Time bucket.", ["hour", "day", "week", "month"]),
     enum({"hour": ["hourly", "by the hour"], "day": ["daily", "by day"], "week": ["weekly", "by week"],
           "month": ["monthly", "by month"]}), ["{v}"], ["Break it down {v}."], ["Group it {v}."],
     "a granularity")
role("traffic_source", E("Traffic source.", ["organic", "paid", "social", "email", "direct", "referral"]),
     enum(), ["from {v} traffic"], ["Only {v} traffic."], ["Only {v} traffic."], "a traffic source", param="source")
role("page_path", S("Page path."), {"kind": "choice", "values": words(
    "/pricing|/blog/launch|/signup|/checkout|/docs/getting-started|/about")}, ["for {v}", "on {v}"],
     ["The page is {v}."], ["Only the page {v}."], "a page path", param="path")
role("experiment_name", S("A/B test name."), {"kind": "choice", "quote": True, "values": words(
    "Green Checkout Button|Short Signup Form|New Pricing Table|Hero Video")}, ["{v}", "called {v}"],
     ["The test is {v}."], ["It's {v}."], "a test name", param="experiment")
role("traffic_split", I("Percent of traffic in the variant.", minimum=1, maximum=99), ints(10, 50, "%", step=5),
     ["with {v} in the variant"], ["Send {v} to the variant."], ["Put {v} in the variant."], "a traffic split",
     param="split_percent")
domain(
    "analytics", "analytics",
    Ent("traffic report", {"get": "site start_date end_date granularity?", "export": "site date_range file_format?"},
        {"visits": "$int:100:900000", "bounce_rate": "$num:0.1:0.9:2"}),
    Ent("metric trend", {"get": "site metric days_back"}, {"change_percent": "$num:-60:200:1"}),
    Ent("top page", {"list": "site date_range limit?"}, {"path": "$choice:/pricing|/blog"}),
    Ent("page performance", {"get": "site page_path"}, {"load_ms": "$int:200:9000", "views": "$int:0:90000"}),
    Ent("traffic source breakdown", {"get": "site date_range traffic_source?"}, {"share": "$num:0:1:2"}),
    Ent("conversion funnel", {"analyze": "site metrics_list"}, {"drop_off_step": "$int:1:5"}),
    Ent("A/B test", {"create": "site experiment_name traffic_split", "stop": "experiment_name",
                    "get": "experiment_name"}, {"winner": "$choice:control|variant", "p_value": "$num:0:1:3"},
        stem="split_test"),
    Ent("analytics dashboard", {"share": "site email permission?"}),
    Ent("metric anomaly", {"find": "site metric days_back?"}, {"date": "$date", "deviation": "$num:2:9:1"}),
)

# --- databases and SQL ---------------------------------------------------------------------------
role("table", S("Table name."), {"kind": "choice", "values": words(
    "orders|customers|invoices|events|products|sessions|payments")}, ["in {v}", "from the {v} table"],
     ["The table is {v}."], ["Use the {v} table."], "a table")
role("columns", A("Column names.", {"type": "string"}), listof({"kind": "choice", "values": words(
    "id|created_at|email|amount|status|country|user_id")}, 2, 3), ["with {v}", "selecting {v}"],
     ["I need {v}."], ["Only return {v}."], "a list of columns")
role("sql_query", S("SQL statement."), {"kind": "choice", "quote": True, "values": words(
    "SELECT count(*) FROM orders WHERE status = 'open'|SELECT email FROM customers LIMIT 10|"
    "SELECT country, sum(amount) FROM payments GROUP BY country|DELETE FROM sessions WHERE expired = true")},
     ["{v}"], ["The query is {v}."], ["Run {v}."], "a SQL statement", param="sql")
role("row_filter", O("Equality filter on one column.", {"column": S("Column name."), "value": S("Value.")}),
     obj({"column": {"kind": "choice", "values": words("status|country|plan|region")},
          "value": {"kind": "choice", "values": words("active|Canada|premium|EMEA|pending")}},
         ["where {column} is {value}", "with {column} equal to {value}"]),
     ["{v}"], ["Only rows {v}."], ["Only rows {v}."], "a filter", param="filter")
role("db_user", S("Database user."), pool("usernames"), ["for {v}", "named {v}"], ["The user is {v}."],
     ["Give it to {v}."], "a database user", param="user")
role("db_privilege", E("Privilege.", ["read", "write", "admin"]), enum(), ["with {v} rights"],
     ["They need {v} rights."], ["Grant {v} rights."], "a privilege", param="privilege")
domain(
    "databases", "db",
    Ent("SQL query", {"validate": "sql_query database"}, {"valid": "$bool"}, stem="sql_statement"),
    Ent("query plan", {"get": "sql_query database"}, {"cost": "$num:1:90000:1", "uses_index": "$bool"},
        stem="sql_query_plan"),
    Ent("table row", {"list": "database table row_filter? limit?", "export": "database table columns file_format?"},
        {"rows": "$int:0:90000"}),
    Ent("table schema", {"get": "database table"}, {"columns": "$int:2:60"}),
    Ent("table index", {"create": "database table columns"}, stem="db_index"),
    Ent("database user", {"create": "database db_user db_privilege", "delete": "database db_user"}),
    Ent("database size", {"get": "database"}, {"gb": "$num:0:9000:2"}),
    Ent("slow query", {"list": "database hours_back limit?"}, {"ms": "$int:500:90000"}),
    Ent("database restore", {"start": "database date"}, stem="db_restore"),
)

# --- network and security ------------------------------------------------------------------------
role("ip_address", S("IPv4 address."), pool("ip_addresses"), ["for {v}", "of {v}"], ["The IP is {v}."],
     ["The address is {v}."], "an IP address", param="ip")
role("web_domain", S("Domain name."), pool("domains_web"), ["for {v}", "of {v}"], ["The domain is {v}."],
     ["It's {v}."], "a domain", param="domain")
role("record_type", E("DNS record type.", ["A", "AAAA", "CNAME", "MX", "TXT"]), enum(), ["{v}"],
     ["I want the {v} records."], ["Only {v} records."], "a record type")
role("port", I("Port number.", minimum=1, maximum=65535), ints(20, 9000), ["on port {v}"],
     ["The port is {v}."], ["Use port {v}."], "a port")
role("password_length", I("Password length.", minimum=8, maximum=64), ints(12, 40, "characters"),
     ["with {v}"], ["Make it {v} long."], ["Make it {v} long."], "a length", param="length")
role("include_symbols", B("Include symbols."), boolean(["with symbols", "including special characters"],
     ["letters and digits only", "without any special characters"]), ["{v}"], ["Make it {v}."],
     ["Make it {v}."], "a symbols flag", param="symbols")
role("file_hash", S("SHA-256 hash."), pattern("**##**##**##**##"), ["{v}", "with hash {v}"], ["The hash is {v}."],
     ["The hash is {v}."], "a file hash", param="sha256")
role("url", S("URL."), pattern("https://link-*****.example.net/login"), ["{v}", "at {v}"], ["The link is {v}."],
     ["Check {v}."], "a URL")
domain(
    "security", "netsec",
    Ent("DNS record", {"list": "web_domain record_type?", "create": "web_domain record_type ip_address"},
        {"value": "$choice:203.0.113.45|mail.northwind.io", "ttl": "$int:60:86400"}, stem="dns_record"),
    Ent("IP geolocation", {"get": "ip_address"}, {"country": "$choice:Canada|Japan", "isp": "$choice:Telia|Comcast"},
        stem="ip_location"),
    Ent("open port", {"check": "ip_address port"}, {"open": "$bool"}, stem="port_status"),
    Ent("SSL certificate", {"check": "web_domain", "renew": "web_domain"}, {"expires": "$date"},
        stem="tls_certificate"),
    Ent("password", {"generate": "password_length include_symbols?"}, {"strength": "$choice:strong|very strong"},
        stem="secure_password"),
    Ent("data breach exposure", {"check": "email"}, {"breaches": "$int:0:9"}, stem="breach_exposure"),
    Ent("malware scan", {"start": "file_hash"}, {"verdict": "$choice:clean|malicious|suspicious"}),
    Ent("phishing link", {"report": "url"}, stem="phishing_url"),
    Ent("firewall rule", {"create": "ip_address port", "delete": "ip_address port"}),
    Ent("login activity", {"list": "username days_back?"}, {"ip": "$choice:10.0.4.17|198.51.100.7"},
        plural="recent logins"),
)

# --- gardening -----------------------------------------------------------------------------------
role("plant", S("Plant name."), pool("plants"), ["for my {v}", "for {v}"], ["I'm growing {v}.",
     "The plant is a {v}."], ["It's a {v}."], "a plant")
role("plants", A("Plant names.", {"type": "string"}), listof(pool("plants"), 2, 3), ["with {v}", "for {v}"],
     ["I'm growing {v}."], ["Include {v}."], "a list of plants")
role("sunlight", E("Light conditions.", ["full_sun", "partial_shade", "full_shade"]),
     enum({"full_sun": ["full sun"], "partial_shade": ["partial shade"], "full_shade": ["full shade"]}),
     ["in {v}"], ["The spot gets {v}."], ["It's in {v}."], "a light level")
role("pet_safe", B("Only plants that are safe for pets."), boolean(["safe for pets", "non-toxic to cats and dogs"],
     ["even if toxic to pets", "regardless of pet safety"]), ["{v}"], ["They must be {v}."], ["Only ones {v}."],
     "a pet-safety filter")
role("soil_ph", N("Soil pH.", minimum=0, maximum=14), nums(4.5, 8.5, 1), ["at pH {v}", "with a pH of {v}"],
     ["My soil pH is {v}."], ["The pH is {v}."], "a soil pH")
role("garden_area", N("Bed area in square meters.", minimum=0), nums(1, 60, 1, "square meters"), ["covering {v}",
     "for {v}"], ["The bed is {v}."], ["The area is {v}."], "an area", param="area_sqm")
role("symptom_leaf", E("Visible problem.", ["yellow_leaves", "brown_spots", "wilting", "white_powder", "holes"]),
     enum({"yellow_leaves": ["yellow leaves"], "brown_spots": ["brown spots"], "white_powder": ["white powder"],
           "holes": ["holes in the leaves"]}), ["with {v}", "showing {v}"], ["It has {v}."], ["It shows {v}."],
     "a symptom", param="symptom")
domain(
    "gardening", "garden",
    Ent("plant care guide", {"get": "plant sunlight?"}, {"water_every_days": "$int:1:21"}),
    Ent("watering reminder", {"create": "plant alarm_days", "delete": "plant"}),
    Ent("plant problem", {"analyze": "plant symptom_leaf"}, {"likely": "$choice:overwatering|aphids|mildew"},
        stem="plant_problem"),
    Ent("planting calendar", {"get": "plant city"}, {"sow_from": "$date", "sow_until": "$date"}),
    Ent("companion plant", {"list": "plant"}, {"name": "$choice:basil|marigold"}),
    Ent("soil amendment", {"calculate": "soil_ph garden_area"}, {"lime_kg": "$num:0:40:1"}),
    Ent("garden layout", {"generate": "plants garden_area sunlight?"}, {"rows": "$int:1:12"}),
    Ent("plant", {"search": "sunlight pet_safe?"}, {"name": "$choice:snake plant|orchid"}, stem="houseplant"),
    Ent("frost alert", {"create": "city email"}, stem="frost_warning"),
)

# --- farming -------------------------------------------------------------------------------------
role("crop", S("Crop."), pool("crops"), ["for {v}", "of {v}"], ["We grow {v}.", "The crop is {v}."],
     ["It's {v}."], "a crop")
role("field_hectares", N("Field size in hectares.", minimum=0), nums(1, 500, 1, "hectares"), ["on {v}",
     "across {v}"], ["The field is {v}."], ["The field covers {v}."], "a field size", param="hectares")
idrole("field_id", "Field", "FLD-####")
role("fertilizer", E("Fertilizer type.", ["nitrogen", "phosphorus", "potassium", "compost", "npk"]),
     enum({"npk": ["NPK"]}), ["with {v}"], ["We use {v}."], ["Use {v}."], "a fertilizer")
role("irrigation_mm", N("Water to apply in millimeters.", minimum=0), nums(5, 60, 1, "mm"), ["with {v}"],
     ["Apply {v}."], ["Apply {v}."], "an irrigation amount", param="water_mm")
role("animal_type", E("Livestock type.", ["cattle", "sheep", "goats", "pigs", "chickens"]), enum(), ["for {v}"],
     ["We keep {v}."], ["The animals are {v}."], "an animal type")
role("animal_count", I("Number of animals.", minimum=1), ints(5, 900, None), ["for {v} head", "for a herd of {v}"],
     ["We have {v} animals."], ["There are {v} animals."], "a head count")
role("pest_note", S("What was seen in the field."), {"kind": "choice", "quote": True, "values": words(
    "Aphids on the lower leaves|Locust swarm at the north edge|Leaf rust spreading fast|Armyworm damage in rows 3 to 7")},
     ["described as {v}", "noting {v}"], ["We saw this: {v}."], ["Note {v}."], "a description", param="description")
domain(
    "farming", "agri",
    Ent("crop yield", {"predict": "crop field_hectares city"}, {"tonnes": "$num:1:9000:1"}),
    Ent("commodity price", {"get": "crop date?"}, {"usd_per_tonne": "$num:90:9000:2"}, stem="crop_price"),
    Ent("fertilizer plan", {"generate": "crop field_hectares fertilizer?"}, {"kg_per_ha": "$int:20:400"}),
    Ent("irrigation", {"schedule": "field_id date irrigation_mm"}, stem="irrigation_run"),
    Ent("soil moisture", {"get": "field_id"}, {"percent": "$num:5:60:1"}),
    Ent("pest outbreak", {"report": "field_id crop pest_note"}),
    Ent("harvest window", {"predict": "crop field_id"}, {"start": "$date", "end": "$date"}),
    Ent("livestock feed", {"calculate": "animal_count animal_type"}, {"kg_per_day": "$num:1:9000:1"}),
    Ent("field", {"list": "email"}, {"id": "$id:FLD-####", "crop": "$choice:wheat|corn"}, stem="farm_field"),
)

# --- charity and donations -----------------------------------------------------------------------
role("charity", S("Charity name."), pool("charities"), ["to {v}", "for {v}"], ["I support {v}.",
     "The charity is {v}."], ["It's for {v}."], "a charity")
role("cause", E("Cause area.", ["environment", "education", "health", "animals", "hunger", "disaster_relief"]),
     enum({"disaster_relief": ["disaster relief"]}), ["for {v}", "working on {v}"], ["I care about {v}."],
     ["Focus on {v}."], "a cause")
role("donation_frequency", E("How often to give.", ["once", "monthly", "quarterly", "yearly"]),
     enum({"once": ["just once", "one time"]}), ["{v}"], ["Give {v}."], ["Make it {v}."], "a frequency",
     param="frequency")
role("anonymous", B("Give anonymously."), boolean(["anonymously", "without my name attached"],
     ["with my name shown", "publicly credited"]), ["{v}"], ["Do it {v}."], ["Do it {v}."], "an anonymity flag")
role("volunteer_hours", I("Hours to volunteer.", minimum=1, maximum=40), ints(1, 8, ["hour", "hours"], True),
     ["for {v}"], ["I can give {v}."], ["Sign me up for {v}."], "an hour count", param="hours")
role("fundraiser_name", S("Fundraiser title."), {"kind": "choice", "quote": True, "values": words(
    "Run for Rescue Paws|Clean Beach Drive|Books for Every Kid|Winter Coat Drive")}, ["called {v}", "titled {v}"],
     ["The fundraiser is {v}."], ["Title it {v}."], "a title", param="title")
domain(
    "charity", "giving",
    Ent("donation", {"send": "charity amount_usd donation_frequency? anonymous?", "cancel": "charity"}),
    Ent("charity rating", {"get": "charity"}, {"stars": "$int:1:4", "program_percent": "$int:50:95"}),
    Ent("charity", {"search": "cause country? limit?"}, {"name": "$choice:Clean Oceans Fund|Shelter First"},
        stem="nonprofit"),
    Ent("donation receipt", {"get": "charity year"}, {"total": "$num:5:9000:2"}),
    Ent("volunteer shift", {"book": "charity date volunteer_hours", "list": "city date?"},
        {"role": "$choice:sorting|serving|tutoring"}),
    Ent("fundraiser page", {"create": "charity fundraiser_name target_amount"}, stem="fundraiser"),
    Ent("donation history", {"get": "email year?"}, {"gifts": "$int:0:40"}),
    Ent("matching gift", {"check": "company_name amount_usd"}, {"match_ratio": "$choice:1:1|2:1"}),
)

# --- invoicing and accounting --------------------------------------------------------------------
idrole("invoice_id", "Invoice", "INV-######")
role("client", S("Client company."), pool("companies"), ["for {v}", "billed to {v}"], ["The client is {v}."],
     ["Bill {v}."], "a client")
role("line_items", A("Invoice lines.", {"type": "object", "properties": {
        "description": {"type": "string", "description": "What was delivered."},
        "amount": {"type": "number", "description": "Line amount in US dollars."}},
        "required": ["description", "amount"]}),
     listof(obj({"description": {"kind": "choice", "values": words("design work|consulting|hosting|travel costs|"
                                                                  "training session|license fee")},
                 "amount": nums(50, 5000, 2, None, "$")}, ["{description} at {amount}", "{amount} for {description}"]),
            1, 2), ["with {v}", "covering {v}"], ["The lines are {v}."], ["Add {v}."], "invoice lines", param="items")
role("due_in_days", I("Payment term in days.", minimum=0, maximum=120), ints(7, 60, "days", step=7),
     ["due in {v}", "payable within {v}"], ["Payment is due in {v}."], ["Make it due in {v}."], "a payment term",
     param="due_days")
role("expense_category", E("Expense category.", ["travel", "meals", "software", "office", "equipment", "other"]),
     enum(), ["under {v}", "as {v}"], ["It's a {v} expense."], ["File it under {v}."], "a category",
     param="category")
role("receipt_file", S("Receipt image file."), {"kind": "choice", "values": words(
    "receipt_0412.jpg|taxi_receipt.png|hotel_folio.pdf|lunch_receipt.jpg")}, ["with {v}", "attaching {v}"],
     ["The receipt is {v}."], ["Attach {v}."], "a receipt", param="receipt")
role("tax_rate", N("Tax rate in percent.", minimum=0, maximum=50), nums(5, 25, 1, "%"), ["at {v}"],
     ["The tax rate is {v}."], ["Apply {v} tax."], "a tax rate")
domain(
    "invoicing", "billing",
    Ent("invoice", {"create": "client line_items due_in_days? currency?", "send": "invoice_id email",
                    "get": "invoice_id", "cancel": "invoice_id"}, {"total": "$num:50:90000:2", "status": "$choice:draft|sent|paid"}),
    Ent("overdue invoice", {"list": "client limit?"}, {"days_late": "$int:1:120"}),
    Ent("payment reminder", {"send": "invoice_id"}, stem="invoice_reminder"),
    Ent("invoice payment", {"add": "invoice_id amount_usd date"}, stem="invoice_payment"),
    Ent("expense", {"submit": "amount_usd expense_category date receipt_file?", "list": "start_date end_date"},
        {"amount": "$num:5:900:2"}, stem="business_expense"),
    Ent("sales tax", {"calculate": "amount_usd tax_rate"}, {"tax": "$num:0:9000:2"}),
    Ent("profit and loss report", {"generate": "start_date end_date file_format?"}, stem="profit_loss_report"),
    Ent("client balance", {"get": "client"}, {"owed": "$num:0:90000:2"}),
)

# --- project management --------------------------------------------------------------------------
role("project", S("Project name."), {"kind": "choice", "values": words(
    "Apollo Redesign|Q3 Launch|Mobile App v2|Data Migration|Website Refresh|Onboarding Revamp")},
     ["in {v}", "for {v}"], ["The project is {v}.", "I'm on {v}."], ["It's for {v}."], "a project")
role("sprint_target", S("Sprint to move the item into."), {"kind": "choice", "values": words(
    "Sprint 14|Sprint 15|Sprint 16|Sprint 17")}, ["to {v}", "into {v}"], ["It belongs in {v}."],
     ["Move it to {v}."], "a target sprint", param="sprint")
idrole("issue_key", "Work item", "PRJ-####", "item_id")
role("story_points", I("Estimate in story points.", minimum=0, maximum=40), ints(1, 13, "points"),
     ["worth {v}", "estimated at {v}"], ["It's about {v}."], ["Estimate it at {v}."], "an estimate",
     param="points")
role("sprint_name", S("Sprint name."), {"kind": "choice", "values": words("Sprint 14|Sprint 15|Sprint 16|Sprint 17")},
     ["for {v}", "in {v}"], ["We're in {v}."], ["Use {v}."], "a sprint", param="sprint")
role("item_title", S("Work item title."), pool("task_titles", quote=True), ["called {v}", "titled {v}"],
     ["The item is {v}."], ["Title it {v}."], "a title", param="title")
role("assignee", S("Assignee username."), pool("usernames"), ["to {v}"], ["Give it to {v}."],
     ["Assign it to {v}."], "an assignee")
role("item_status", E("Workflow status.", ["todo", "in_progress", "in_review", "done"]),
     enum({"todo": ["to do"], "in_progress": ["in progress"], "in_review": ["in review"]}), ["to {v}"],
     ["Move it to {v}."], ["Move it to {v}."], "a status", param="status")
role("milestone_name", S("Milestone name."), {"kind": "choice", "quote": True, "values": words(
    "Beta Release|Design Freeze|Public Launch|Security Audit")}, ["called {v}", "named {v}"],
     ["The milestone is {v}."], ["Name it {v}."], "a milestone", param="milestone")
domain(
    "projects", "pm",
    Ent("work item", {"create": "project item_title story_points? assignee?", "get": "issue_key",
                      "delete": "issue_key"}, {"status": "$choice:todo|done"}),
    Ent("work item status", {"update": "issue_key item_status"}),
    Ent("work item", {"assign": "issue_key assignee"}, stem="work_item_owner"),
    Ent("sprint backlog", {"get": "project sprint_name"}, {"items": "$int:3:60", "points": "$int:5:120"}),
    Ent("sprint item", {"move": "issue_key sprint_target"}),
    Ent("project milestone", {"create": "project milestone_name date", "list": "project"}, {"due": "$date"}),
    Ent("burndown chart", {"generate": "project sprint_name"}),
    Ent("team workload", {"get": "project"}, {"busiest": "$choice:maria_lop0|omar_had9"}),
    Ent("project status", {"summarize": "project days_back?"}, {"on_track": "$bool"}),
)

# --- workplace -----------------------------------------------------------------------------------
role("meeting_room", S("Room name."), pool("meeting_rooms"), ["in {v}", "for {v}"], ["I want {v}."],
     ["Use {v}."], "a meeting room", param="room")
role("capacity", I("Minimum seats.", minimum=1, maximum=100), ints(2, 20, ["person", "people"], True),
     ["for {v}", "that seats {v}"], ["We are {v}."], ["It has to fit {v}."], "a capacity")
role("floor", I("Floor number.", minimum=0, maximum=60), ints(1, 12), ["on floor {v}"], ["I'm on floor {v}."],
     ["Only floor {v}."], "a floor")
role("visitor_name", S("Visitor's full name."), pool("people"), ["for {v}"], ["My visitor is {v}."],
     ["The visitor is {v}."], "a visitor", param="visitor")
role("equipment", A("Equipment needed.", {"type": "string", "enum": ["projector", "whiteboard", "video_conference",
                                                                    "phone"]}),
     listof(enum({"video_conference": ["video conferencing"]}), 1, 2), ["with {v}"], ["We need {v}."],
     ["It must have {v}."], "equipment")
role("desk_zone", E("Desk zone.", ["quiet", "collaborative", "window", "standing"]), enum(), ["in the {v} zone"],
     ["I like the {v} zone."], ["Put me in the {v} zone."], "a zone", param="zone")
role("facility_note", S("Description of the problem."), {"kind": "choice", "quote": True, "values": words(
    "Air conditioning is too cold|Printer jammed again|Coffee machine is leaking|Flickering lights by the stairs")},
     ["saying {v}", "about {v}"], ["The problem: {v}."], ["Describe it as {v}."], "a description",
     param="description")
domain(
    "workplace", "office",
    Ent("meeting room", {"book": "meeting_room date time duration_event", "find": "date time capacity equipment?",
                         "cancel": "reservation_id"}, {"room": "$choice:Atlas|Orion"}, stem="conference_room"),
    Ent("room availability", {"check": "meeting_room date"}, {"free_slots": "$int:0:10"}, stem="room_schedule"),
    Ent("hot desk", {"book": "date floor? desk_zone?"}, {"desk": "$id:D-###"}),
    Ent("visitor pass", {"create": "visitor_name date", "cancel": "visitor_name date"}),
    Ent("facility issue", {"report": "floor facility_note"}, stem="facility_issue"),
    Ent("parking permit", {"renew": "employee_id plate"}, stem="office_parking"),
    Ent("office lunch", {"order": "dishes date"}),
    Ent("office occupancy", {"get": "date floor?"}, {"percent": "$int:0:100"}),
)

# --- clocks and timers ---------------------------------------------------------------------------
role("time_zone", S("IANA time zone, e.g. Europe/Lisbon."), pool("time_zones"), ["in {v}", "for {v}"],
     ["I'm on {v}."], ["Use {v}."], "a time zone", param="timezone")
role("to_time_zone", S("Target IANA time zone."), differs(pool("time_zones"), "timezone"), ["to {v}", "into {v}"],
     ["I need it in {v}."], ["Show it in {v}."], "a target time zone", param="to_timezone")
role("alarm_label", S("Alarm label."), {"kind": "choice", "quote": True, "values": words(
    "Wake up|Gym|Take medicine|School run|Stand-up meeting")}, ["labeled {v}", "called {v}"], ["Label it {v}."],
     ["Label it {v}."], "a label", param="label")
role("timer_seconds", I("Timer length in seconds.", minimum=1, maximum=86400), ints(30, 3600, "seconds", step=30),
     ["for {v}"], ["Set it for {v}."], ["Run it for {v}."], "a timer length", param="seconds")
idrole("alarm_id", "Alarm", "ALM-####")
domain(
    "clock", "clock",
    Ent("alarm", {"create": "time alarm_label? alarm_days?", "delete": "alarm_id", "list": "alarm_days"}),
    Ent("countdown timer", {"start": "timer_seconds alarm_label?", "stop": "alarm_id"}),
    Ent("world clock time", {"get": "time_zone"}, {"time": "$choice:08:12|19:47"}),
    Ent("meeting time", {"convert": "time time_zone to_time_zone"}, {"converted": "$choice:03:00|16:30"},
        templates={"convert": [
            "Convert {time} {timezone} to {to_timezone}.", "What is {time} in {timezone} in {to_timezone}?",
            "If it's {time} in {timezone}, what time is it in {to_timezone}?",
            "Please translate {time} {timezone} into {to_timezone}.",
            "My call is at {time} {timezone}. When is that in {to_timezone}?",
            "Can you convert {time} from {timezone} to {to_timezone}?",
            "We agreed on {time} {timezone} for the meeting. My colleague is in {to_timezone}; what time is it for them?",
            "Time zone check: {time} {timezone}, expressed in {to_timezone}?"]}),
    Ent("stopwatch", {"start": "alarm_label"}),
    Ent("bedtime reminder", {"set": "time alarm_days"}, stem="bedtime"),
    Ent("time difference", {"calculate": "time_zone to_time_zone"}, {"hours": "$num:-14:14:1"}),
)

# ============================================================== more entities for the first domains


def extend(name: str, *entities: Ent) -> None:
    """Add entities to a domain defined above."""
    next(d for d in DOMAINS if d.name == name).entities.extend(entities)


role("allergens", A("Allergens to check for.", {"type": "string", "enum": ["gluten", "peanuts", "tree_nuts", "dairy",
                                                                          "soy", "shellfish", "eggs"]}),
     listof(enum({"tree_nuts": ["tree nuts"]}), 1, 2), ["for {v}"], ["I'm allergic to {v}."], ["Check for {v}."],
     "a list of allergens")
extend("nutrition",
       Ent("daily nutrition summary", {"get": "date"}, {"calories": "$int:800:4000", "protein_g": "$int:20:220"}),
       Ent("protein target", {"calculate": "weight_kg goal_type"}, {"grams_per_day": "$int:50:250"}),
       Ent("food allergen", {"check": "food allergens"}, {"contains": "$bool"}, stem="allergen_content"),
       Ent("meal log", {"list": "date meal_type?"}, {"food": "$choice:oatmeal|banana"}, plural="logged meals"))

SPEED = ["km/h", "mph", "m/s", "knots"]
AREA = ["square meters", "square feet", "acres", "hectares"]
DATA = ["bytes", "kilobytes", "megabytes", "gigabytes", "terabytes"]
for _key, _vals, _label in (("speed", SPEED, "speed"), ("area", AREA, "area"), ("data", DATA, "data size")):
    role(f"{_key}_from", S(f"Unit to convert from ({_label})."), {"kind": "choice", "values": _vals}, ["from {v}"],
         ["It's in {v}."], ["It's measured in {v}."], "a source unit", param="from_unit")
    role(f"{_key}_to", S(f"Unit to convert to ({_label})."), differs({"kind": "choice", "values": _vals}, "from_unit"),
         ["to {v}"],
         ["I want {v}."], ["Give it in {v}."], "a target unit", param="to_unit")
extend("units",
       Ent("speed", {"convert": "conv_value speed_from speed_to"}, {"result": "$num:0:10000:3"},
           templates={"convert": CONV}),
       Ent("area", {"convert": "conv_value area_from area_to"}, {"result": "$num:0:10000:3"},
           templates={"convert": CONV}),
       Ent("data size", {"convert": "conv_value data_from data_to"}, {"result": "$num:0:1000000:3"},
           templates={"convert": CONV}),
       Ent("shoe size", {"convert": "shoe_size shoe_system_from shoe_system_to"}, {"result": "$num:3:16:1"},
           templates={"convert": [
               "Convert shoe size {size} {from_system} to {to_system}.", "What is a {from_system} {size} in {to_system}?",
               "I wear a {size} in {from_system} sizes. What's that in {to_system}?",
               "Please convert a {from_system} shoe size {size} to {to_system}.",
               "The shop only lists {to_system} sizes. I'm a {from_system} {size}; which size do I need?",
               "Shoe size {size} ({from_system}) in {to_system}, please.",
               "I'm ordering boots from abroad. My usual {from_system} size is {size}; what's the {to_system} size?",
               "Sizing question: {from_system} {size} equals what in {to_system}?"]}))
role("shoe_size", N("Shoe size in the source system.", minimum=1, maximum=20),
     {"kind": "choice", "values": [6, 7, 8, 9, 10, 11, 7.5, 8.5, 9.5]}, ["{v}"], ["I wear {v}."], ["Size {v}."],
     "a shoe size", param="size")
for _key, _param in (("shoe_system_from", "from_system"), ("shoe_system_to", "to_system")):
    role(_key, E("Sizing system.", ["US", "UK", "EU"]),
         differs(enum(), "from_system") if _param == "to_system" else enum(), ["{v}"], ["Use {v} sizes."], ["Use {v} sizes."],
         "a sizing system", param=_param)

role("child_seats", I("Number of child seats.", minimum=1, maximum=4), ints(1, 3, ["child seat", "child seats"], True),
     ["with {v}"], ["We need {v}."], ["Add {v}."], "a child seat count", param="count")
role("damage_note", S("Description of the damage."), {"kind": "choice", "quote": True, "values": words(
    "Scratch on the rear bumper|Cracked windshield|Dent in the driver door|Flat tire on return")},
     ["described as {v}", "noting {v}"], ["The damage: {v}."], ["Note {v}."], "a description", param="description")
extend("car_rental",
       Ent("rental location", {"find": "city limit?"}, {"name": "$choice:Airport Desk|Downtown Office"}),
       Ent("child seat", {"add": "rental_id child_seats"}, stem="rental_child_seat"),
       Ent("rental damage", {"report": "rental_id damage_note"}),
       Ent("rental fuel charge", {"calculate": "rental_id fuel_liters"}, {"charge": "$num:5:150:2"}))

extend("food_delivery",
       Ent("delivery promo code", {"validate": "coupon_code restaurant"}, {"valid": "$bool", "discount": "$int:5:40"}),
       Ent("past delivery order", {"list": "email limit?"}, {"restaurant": "$choice:Spice Route|Casa Mia"}),
       Ent("favorite restaurant", {"add": "restaurant", "delete": "restaurant"}))

role("loyalty_card", S("Loyalty card number."), pattern("LOY-#########"), ["on card {v}", "for card {v}"],
     ["My loyalty card is {v}."], ["Use card {v}."], "a loyalty card", param="card_number")
extend("grocery",
       Ent("grocery order", {"track": "order_id", "cancel": "order_id"}, {"status": "$choice:picking|on the way"}),
       Ent("loyalty points", {"get": "loyalty_card"}, {"points": "$int:0:90000"}, are=True),
       Ent("pantry item", {"add": "grocery_items", "list": "tag_filter"}, {"item": "$choice:rice|pasta"}))

extend("medical",
       Ent("telehealth visit", {"book": "specialty date time"}),
       Ent("medical record", {"export": "contact_name file_format?"}),
       Ent("hospital", {"find": "city limit?"}, {"name": "$choice:St. Mary's|General Hospital", "er_wait_min": "$int:5:240"}))

role("wine_dish", S("Dish to pair."), pool("dishes"), ["for {v}", "with {v}"], ["I'm serving {v}."],
     ["We're having {v}."], "a dish", param="dish")
extend("recipes",
       Ent("saved recipe", {"add": "dish tags?", "delete": "dish", "list": "tag_filter"}, {"title": "$choice:Pho|Paella"}),
       Ent("wine pairing", {"recommend": "wine_dish limit?"}, {"wine": "$choice:Pinot Noir|Riesling"}))

role("lost_item", S("Item left behind."), {"kind": "choice", "values": words(
    "black umbrella|phone charger|blue backpack|house keys|sunglasses|wallet")}, ["for my {v}", "about a {v}"],
     ["I left my {v} in the car."], ["The item is a {v}."], "a lost item", param="item")
extend("rideshare",
       Ent("ride history", {"list": "start_date end_date?"}, {"total": "$num:5:120:2"}, plural="past rides"),
       Ent("lost item", {"report": "ride_id lost_item"}, stem="ride_lost_item"),
       Ent("driver rating", {"submit": "ride_id rating"}, stem="driver_rating"))

role("window", I("Window size in points.", minimum=2, maximum=50), ints(2, 7, "points"), ["with a window of {v}",
     "over {v}"], ["Use a window of {v}."], ["Use a window of {v}."], "a window size")
role("x_value", N("Observed value.", minimum=-1000), nums(10, 200, 1), ["for {v}", "of {v}"],
     ["The value is {v}."], ["The value is {v}."], "a value", param="x")
role("mean", N("Population mean."), nums(10, 200, 1), ["with mean {v}"], ["The mean is {v}."],
     ["The mean is {v}."], "a mean")
role("std_dev", N("Standard deviation.", minimum=0), nums(1, 40, 1), ["and standard deviation {v}"],
     ["The standard deviation is {v}."], ["The SD is {v}."], "a standard deviation", param="std")
extend("statistics",
       Ent("moving average", {"calculate": "numbers window"}, {"values": [12.5, 14.0]}),
       Ent("z score", {"calculate": "x_value mean std_dev"}, {"z": "$num:-4:4:3"}, stem="standard_score"),
       Ent("linear regression", {"calculate": "numbers sample_numbers"}, {"slope": "$num:-5:5:3",
                                                                          "intercept": "$num:-50:50:2"}))

role("transit_card", S("Transit card number."), pattern("TC-##########"), ["on card {v}", "for card {v}"],
     ["My transit card is {v}."], ["Use card {v}."], "a transit card", param="card_number")
extend("transit",
       Ent("nearby stop", {"find": "coordinates radius_km?"}, {"name": "$choice:Harbor Street|Old Town"}),
       Ent("bike share dock", {"find": "coordinates limit?"}, {"bikes": "$int:0:30"}),
       Ent("transit card balance", {"get": "transit_card"}, {"balance": "$num:0:90:2"}),
       Ent("transit card top-up", {"submit": "transit_card amount_usd"}, stem="transit_card_top_up"))

extend("contacts",
       Ent("contact note", {"add": "contact_id note"}),
       Ent("blocked number", {"add": "phone", "delete": "phone"}, {"blocked": True}))

idrole("message_id", "Message", "M-#######")
role("emoji", E("Reaction.", ["thumbs_up", "heart", "laugh", "eyes", "check"]),
     enum({"thumbs_up": ["a thumbs up"], "heart": ["a heart"], "laugh": ["a laugh"], "eyes": ["the eyes emoji"],
           "check": ["a check mark"]}), ["with {v}"], ["React with {v}."], ["Use {v}."], "a reaction")
extend("messaging",
       Ent("message reaction", {"add": "message_id emoji"}),
       Ent("pinned message", {"add": "channel message_id"}))

extend("pharmacy",
       Ent("generic alternative", {"find": "medication"}, {"name": "$choice:ibuprofen|cetirizine"}),
       Ent("prescription price", {"compare": "medication pharmacy_city"}, {"lowest": "$num:2:300:2"}))

role("dining_review", S("Review text."), {"kind": "choice", "quote": True, "values": words(
    "Best pasta in town|Slow service but great food|Cozy spot for a date night|The dessert stole the show")},
     ["saying {v}"], ["My review: {v}."], ["Add the comment {v}."], "a review text", param="review")
extend("restaurants",
       Ent("restaurant review", {"submit": "dining_restaurant rating dining_review?"}),
       Ent("restaurant gift card", {"buy": "dining_restaurant amount_usd email"}))

extend("sports",
       Ent("live match commentary", {"get": "team"}, {"minute": "$int:1:90", "last_event": "$choice:goal|yellow card"}),
       Ent("top scorer", {"list": "sport season"}, {"name": "$choice:Marco Vidal|Keiko Aoki"}))

role("permission_cal", E("Calendar access level.", ["free_busy", "view", "edit"]),
     enum({"free_busy": ["free/busy only"]}), ["with {v} access"], ["Give {v} access."], ["Grant {v} access."],
     "an access level", param="permission")
extend("calendar",
       Ent("event attendee", {"add": "event_id attendees", "delete": "event_id email"}),
       Ent("calendar", {"share": "email permission_cal"}, stem="personal_calendar"))

role("k_choose", I("Number of items chosen.", minimum=0), ints(1, 6), ["choosing {v}", "taking {v} at a time"],
     ["Pick {v} at a time."], ["Choose {v}."], "a selection size", param="k")
role("n_small", I("Total number of items.", minimum=0), ints(7, 30), ["from {v} items", "out of {v}"],
     ["There are {v} items."], ["There are {v} items."], "an item count", param="n")
extend("math",
       Ent("least common multiple", {"calculate": "integers"}, {"result": "$int:2:90000"}, stem="lcm_value"),
       Ent("combination count", {"calculate": "n_small k_choose"}, {"result": "$int:1:600000"}, stem="n_choose_k"))

extend("weather",
       Ent("marine forecast", {"get": "city days"}, {"wave_m": "$num:0.2:6:1", "wind_kt": "$int:2:45"}),
       Ent("rainfall total", {"get": "city start_date end_date"}, {"mm": "$num:0:900:1"}, stem="rainfall_history"))

role("index_name", E("Market index.", ["sp500", "nasdaq", "dow", "ftse100", "nikkei225", "dax"]),
     enum({"sp500": ["S&P 500"], "nasdaq": ["Nasdaq"], "dow": ["Dow Jones", "the Dow"], "ftse100": ["FTSE 100"],
           "nikkei225": ["Nikkei 225"], "dax": ["DAX"]}), ["for the {v}", "of the {v}"], ["I follow the {v}."],
     ["Use the {v}."], "an index", param="index")
extend("finance",
       Ent("market index level", {"get": "index_name date?"}, {"level": "$num:1000:45000:2"}),
       Ent("analyst rating", {"get": "ticker"}, {"consensus": "$choice:buy|hold|sell", "target": "$num:5:900:2"}))

extend("hotels",
       Ent("room upgrade", {"submit": "reservation_id room_type"}, stem="room_upgrade_request"),
       Ent("hotel amenity", {"list": "hotel_name"}, {"name": "$choice:pool|spa|gym"}, plural="hotel amenities"))

extend("flights",
       Ent("airport lounge", {"find": "origin"}, {"name": "$choice:Skyview Lounge|Aurora Club"}))

role("class_type", E("Class type.", ["yoga", "spin", "pilates", "hiit", "boxing", "zumba"]),
     enum({"hiit": ["HIIT"], "spin": ["spin", "indoor cycling"]}), ["for {v}"], ["I like {v} classes."],
     ["Only {v} classes."], "a class type", param="class")
extend("fitness",
       Ent("fitness class", {"book": "class_type date time", "search": "city class_type"},
           {"studio": "$choice:Core Studio|PulseFit", "spots_left": "$int:0:20"}))

role("signature_text", S("Signature text."), {"kind": "choice", "quote": True, "values": words(
    "Best regards, Maria|Cheers, Omar|Sent from my phone|Thanks, Priya (she/her)")}, ["to {v}"],
     ["Make it {v}."], ["Set it to {v}."], "a signature", param="signature")
extend("email", Ent("email signature", {"set": "signature_text"}))

role("link_days", I("Days until the link expires.", minimum=1, maximum=90), ints(1, 30, ["day", "days"], True),
     ["that expires in {v}", "valid for {v}"], ["It should expire in {v}."], ["Let it expire in {v}."],
     "an expiry", param="expires_in_days")
extend("files", Ent("share link", {"create": "file_name link_days"}, stem="file_share_link"))

extend("music", Ent("radio station", {"play": "music_genre"}, stem="genre_radio"))

# --- home services -------------------------------------------------------------------------------
role("home_service", E("Kind of service.", ["plumbing", "electrical", "cleaning", "handyman", "pest_control",
                                            "moving", "painting"]),
     enum({"pest_control": ["pest control"]}), ["for {v}"], ["I need {v}."], ["It's a {v} job."], "a service type",
     param="service")
role("job_note", S("Description of the job."), {"kind": "choice", "quote": True, "values": words(
    "Kitchen sink is leaking|Two outlets stopped working|Deep clean before move-out|Assemble a wardrobe|"
    "Ants in the pantry|Paint the spare bedroom")}, ["saying {v}", "about {v}"], ["The job: {v}."],
     ["Describe it as {v}."], "a job description", param="description")
idrole("service_booking_id", "Service booking", "HS-######", "booking_id")
role("hours_needed", I("Estimated hours.", minimum=1, maximum=24), ints(1, 8, ["hour", "hours"], True),
     ["for {v}"], ["It should take {v}."], ["Book {v}."], "an hour estimate", param="hours")
role("max_hourly_rate", N("Maximum hourly rate in US dollars.", minimum=0), nums(20, 150, 0, None, "$"),
     ["under {v} an hour"], ["I'll pay up to {v} an hour."], ["Keep it under {v} an hour."], "a rate cap",
     param="max_rate")
role("visit_note", S("Free-text note."), {"kind": "choice", "quote": True, "values": words(
    "Arrived on time and tidied up|Fixed it in under an hour|Had to come back twice|Friendly and careful")}, ["with the note {v}"], ["My comment: {v}."], ["Add the note {v}.", "Include the note {v}."],
     "a note", param="note")
domain(
    "home_services", "homefix",
    Ent("service provider", {"search": "home_service city max_hourly_rate? limit?", "get": "company_name"},
        {"name": "$choice:FixRight|Sparkle Cleaners", "rating": "$num:3:5:1"}),
    Ent("home service booking", {"book": "home_service address date time hours_needed?",
                                 "cancel": "service_booking_id", "update": "service_booking_id date time"},
        stem="home_service_visit"),
    Ent("repair quote", {"get": "home_service job_note address"}, {"low": "$int:50:400", "high": "$int:400:3000"}),
    Ent("provider review", {"submit": "service_booking_id rating visit_note?"}),
    Ent("recurring cleaning", {"schedule": "address alarm_days time"}, stem="recurring_cleaning"),
    Ent("moving quote", {"get": "city_a city_b date bedrooms?"}, {"estimate": "$int:300:9000"}),
    Ent("service booking", {"list": "email limit?"}, {"status": "$choice:scheduled|done"},
        plural="upcoming service visits"),
)

# --- wellness ------------------------------------------------------------------------------------
role("mood", E("Mood.", ["great", "good", "okay", "low", "anxious", "stressed"]), enum(), ["as {v}", "feeling {v}"],
     ["I'm feeling {v}."], ["Log it as {v}."], "a mood")
role("sleep_hours", N("Hours slept.", minimum=0, maximum=24), nums(3, 10, 1, "hours"), ["of {v}"],
     ["I slept {v}."], ["I got {v} of sleep."], "a sleep duration", param="hours")
role("meditation_minutes", I("Session length in minutes.", minimum=1, maximum=120), ints(5, 45, "minutes", step=5),
     ["for {v}", "lasting {v}"], ["I have {v}."], ["Keep it to {v}."], "a session length", param="minutes")
role("meditation_theme", E("Meditation focus.", ["sleep", "focus", "stress", "gratitude", "breathing"]), enum(),
     ["for {v}", "focused on {v}"], ["I want to work on {v}."], ["Focus on {v}."], "a theme", param="theme")
role("journal_text", S("Journal entry text."), {"kind": "choice", "quote": True, "values": words(
    "Long day but a good walk helped|Grateful for coffee with an old friend|Felt rushed all morning|"
    "Finally finished the big report")}, ["saying {v}", "that reads {v}"], ["Today: {v}."], ["Write {v}."],
     "an entry", param="text")
role("therapist_specialty", E("Therapy focus.", ["anxiety", "depression", "couples", "grief", "trauma"]), enum(),
     ["for {v}", "specializing in {v}"], ["I'm looking for help with {v}."], ["They should handle {v}."],
     "a focus area", param="focus")
role("mood_note", S("Free-text note."), {"kind": "choice", "quote": True, "values": words(
    "Slept badly|Great run this morning|Busy day at work|Called an old friend")}, ["with the note {v}"], ["About today: {v}."], ["Add the note {v}.", "Include the note {v}."],
     "a note", param="note")
domain(
    "wellness", "wellness",
    Ent("mood entry", {"add": "mood date mood_note?", "list": "start_date end_date?"}, {"mood": "$choice:good|low"}),
    Ent("sleep log", {"add": "date sleep_hours", "get": "start_date end_date"}, {"avg_hours": "$num:4:9:1"}),
    Ent("guided meditation", {"start": "meditation_theme meditation_minutes?", "recommend": "meditation_theme limit?"},
        {"title": "$choice:Body Scan|Calm Breath"}),
    Ent("journal entry", {"create": "journal_text date?"}),
    Ent("breathing exercise", {"start": "meditation_minutes"}, stem="breathing_session"),
    Ent("therapist", {"find": "city therapist_specialty insurance_accepted?"}, {"name": "$choice:Dr. Iyer|Dr. Berg"}),
    Ent("wellness score", {"calculate": "sleep_hours mood"}, {"score": "$int:0:100"}),
)

# --- fashion -------------------------------------------------------------------------------------
role("garment", E("Garment type.", ["shirt", "jeans", "dress", "jacket", "sneakers", "sweater", "skirt"]),
     enum({"shirt": ["shirts"], "dress": ["dresses"], "jacket": ["jackets"], "sweater": ["sweaters"],
           "skirt": ["skirts"]}), ["for {v}"], ["I'm shopping for {v}."], ["It's for {v}."], "a garment type",
     param="item_type")
role("occasion", E("Occasion.", ["work", "wedding", "date_night", "casual", "interview", "beach"]),
     enum({"date_night": ["date night"]}), ["for a {v}", "for {v}"], ["It's for a {v}."], ["Dress for {v}."],
     "an occasion")
role("body_measure", O("Body measurements in centimeters.", {"chest": I("Chest."), "waist": I("Waist."),
                                                             "hips": I("Hips.")}),
     obj({"chest": ints(80, 120), "waist": ints(60, 110), "hips": ints(80, 125)},
         ["chest {chest} cm, waist {waist} cm, hips {hips} cm", "a {chest} cm chest, {waist} cm waist and {hips} cm hips"]),
     ["with {v}"], ["My measurements are {v}."], ["I measure {v}."], "measurements", param="measurements")
role("brand", S("Brand name."), {"kind": "choice", "values": words("Northloom|Aster & Pine|Kite Denim|Solstice Wear|"
                                                                   "Marrow Athletic")},
     ["from {v}", "by {v}"], ["I like {v}."], ["Only {v}."], "a brand")
role("outfit_items", A("Clothing items.", {"type": "string"}), listof({"kind": "choice", "values": words(
    "white sneakers|navy blazer|black jeans|linen shirt|denim jacket|floral dress|wool sweater")}, 2, 3),
     ["with {v}", "around {v}"], ["I own {v}."], ["Use {v}."], "a list of items", param="items")
domain(
    "fashion", "style",
    Ent("clothing item", {"search": "garment color? size? brand? price_range?"}, {"name": "$choice:Linen Shirt|Kite 501"}),
    Ent("size recommendation", {"get": "garment brand body_measure"}, {"size": "$choice:S|M|L"}),
    Ent("outfit", {"generate": "occasion outfit_items? weather_hint?", "recommend": "occasion color?"},
        {"pieces": "$int:2:6"}, stem="outfit_idea"),
    Ent("wardrobe item", {"add": "garment color brand?", "delete": "garment color"}),
    Ent("tailoring appointment", {"book": "garment date time"}, stem="alteration"),
    Ent("clothing return", {"submit": "order_id return_reason"}, stem="garment_return"),
    Ent("price drop watch", {"create": "sku target_price"}, stem="clothing_price_watch"),
)
role("weather_hint", E("Expected weather.", ["hot", "mild", "cold", "rainy"]), enum(), ["for {v} weather"],
     ["It'll be {v}."], ["Plan for {v} weather."], "the weather", param="weather")

# --- a few more entities across domains ----------------------------------------------------------
role("album_name", S("Album name."), {"kind": "choice", "quote": True, "values": words(
    "Summer 2025|Lisbon Trip|Family Reunion|Garden Progress|Best of the Year")}, ["called {v}", "named {v}"],
     ["The album is {v}."], ["Name it {v}."], "an album name", param="album")
extend("legal",
       Ent("notary", {"find": "city limit?"}, {"name": "$choice:Harbor Notary|City Seal Services"}),
       Ent("trademark", {"search": "query jurisdiction?"}, {"mark": "$choice:NORTHWIND|LUMEN", "status": "$choice:live|dead"}))
extend("chemistry",
       Ent("boiling point", {"get": "compound"}, {"celsius": "$num:-200:400:1"}),
       Ent("isotope", {"list": "element"}, {"mass_number": "$int:1:250", "stable": "$bool"}))
extend("geography",
       Ent("river", {"list": "country_name limit?"}, {"name": "$choice:Tagus|Danube", "length_km": "$int:50:6000"}),
       Ent("mountain peak", {"list": "country_name limit?"}, {"name": "$choice:Mont Blanc|Aconcagua",
                                                              "height_m": "$int:500:8800"}))
extend("images",
       Ent("photo album", {"create": "album_name", "share": "album_name email"}),
       Ent("album photo", {"add": "album_name image_file"}))
extend("astronomy", Ent("exoplanet", {"search": "star limit?"}, {"name": "$choice:Proxima b|Vega c"}))
extend("biology", Ent("protein structure", {"get": "gene organism?"}, {"pdb_id": "$id:#???"}))
extend("news", Ent("local news story", {"list": "city limit?"}, {"headline": "$choice:New bike lanes|Library reopens"}))
extend("podcasts", Ent("podcast review", {"submit": "podcast rating"}))
extend("crypto", Ent("staking reward", {"estimate": "coin coin_amount days"}, {"reward": "$num:0:5:4"}))
extend("banking", Ent("direct deposit form", {"generate": "bank_account"}))
extend("insurance", Ent("roadside assistance", {"submit": "policy_id coordinates"}, stem="roadside_help"))
extend("shipping", Ent("return label", {"create": "order_id carrier?"}, stem="return_shipping_label"))
extend("tourism", Ent("city pass", {"buy": "city trip_days"}, stem="tourist_city_pass"))
extend("vehicles", Ent("tire pressure", {"check": "vehicle"}, {"front_psi": "$int:26:40", "rear_psi": "$int:26:40"}))
extend("maps", Ent("speed camera", {"list": "city"}, {"road": "$choice:Ring Road|A1"}))
extend("todo", Ent("to-do list", {"share": "list_name email"}, stem="todo_list"))
extend("gaming", Ent("game patch notes", {"get": "game"}, {"version": "$id:#.##"}, are=True))
extend("streaming", Ent("continue watching row", {"list": "profile_name"}, {"title": "$choice:Northbound|The Ledger"},
                        plural="continue watching titles"))
extend("education", Ent("study group", {"create": "graded_course members", "list": "graded_course"}))
extend("wellness", Ent("hydration goal", {"set": "glasses"}))



if __name__ == "__main__":
    main()

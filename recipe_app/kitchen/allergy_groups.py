"""The allergen groups the app checks, and the words cooks use for them.

Groups follow EU Regulation 1169/2011 Annex II (the 14: cereals containing gluten, crustaceans,
eggs, fish, peanuts, soybeans, milk, nuts, celery, mustard, sesame, sulphur dioxide and sulphites,
lupin, molluscs) and the US FALCPA list as amended by the FASTER Act (the 9: milk, eggs, fish,
crustacean shellfish, tree nuts, peanuts, wheat, soybeans, sesame). Wheat is checked as gluten,
which covers it and errs on the side of caution. A few groups no law lists are added because cooks
name them (corn, nightshades, alliums) or use them to express a diet (meat, poultry, pork, alcohol,
gelatin).

Each :class:`Group` has:

* ``foods``: words that name the allergen itself ("walnut", "prawn", "cheddar");
* ``hidden``: prepared foods that usually contain it ("pesto" for tree nuts and milk, "XO sauce"
  for crustaceans, "Caesar dressing" for fish). Their warning says "may contain";
* ``safe``: regexes (over normalised text) of false friends removed before matching: "nutmeg" needs
  none (matching is whole-word) but "water chestnut", "cocoa butter", "cream crackers" do;
* ``free``: words that, written as "<word>-free" anywhere in a line, clear the whole line for the
  group ("gluten-free spaghetti", "spaghetti (gluten free)").

:data:`NAMES` maps what cooks type (after :func:`recipe_app.kitchen.allergens.allergy_key` has
removed filler such as "allergy", "intolerant", "no") onto groups: synonyms, common misspellings and
the EU names in French, German, Spanish and Italian. Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """One allergen group: how its foods are written, and what looks like it but is not."""

    name: str
    listed: str  # "EU+US", "EU", or "" for groups no allergen law lists
    foods: tuple[str, ...]
    hidden: tuple[str, ...] = ()
    safe: tuple[str, ...] = ()
    free: tuple[str, ...] = ()
    whole: bool = True  # a single food of the group typed as an allergy stands for the whole group


def _w(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


_PLANT_MILK = r"\b(?:coconut|almond|oat|soy|soya|rice|cashew|hemp|nut|pea|plant|vegan)\s+(?:milk|cream|yog(?:h)?urt|butter|cheese|drink)"
_ANIMAL_FREE = ("vegan", "plant based")

GROUPS: tuple[Group, ...] = (
    Group("gluten", "EU+US", _w(
        "gluten, wheat, flour, bread, breadcrumb, panko, crouton, pasta, spaghetti, penne, fusilli, linguine, "
        "tagliatelle, macaroni, lasagne, lasagna, orzo, gnocchi, noodle, udon, ramen, couscous, bulgur, bulgar, "
        "barley, rye, spelt, kamut, khorasan, einkorn, emmer, triticale, durum, semolina, seitan, farro, freekeh, "
        "oat, oatmeal, porridge oat, malt, tortilla, wrap, pitta, pita, naan, chapati, roti, bagel, baguette, "
        "brioche, croissant, ciabatta, sourdough, focaccia, bun, cracker, biscuit, cookie, cake, pastry, filo, "
        "phyllo, pie, pizza, dumpling, wonton, gyoza, graham cracker, pancake, waffle, crepe, scone, muffin"), _w(
        "soy sauce, shoyu, teriyaki, hoisin, beer, ale, lager, stout, malt vinegar, worcestershire sauce, "
        "tempura, batter, roux, gravy granules, stock cube, soba, gochujang, miso, muesli, granola, "
        "matzo, breadcrumbs, stuffing"),
        (r"\b(?:rice|corn|maize|almond|coconut|chickpea|gram|buckwheat|tapioca|potato|cassava|sorghum|teff|"
         r"quinoa|millet|arrowroot|banana|oat-free)\s+flour",
         r"\b(?:rice|glass|mung bean|sweet potato|kelp|shirataki|courgette|zucchini|konjac|bean thread)\s+"
         r"(?:noodles?|vermicelli|paper|pasta)",
         r"\bcorn\s+tortillas?", r"\bcauliflower\s+(?:rice|pizza)", r"\blettuce\s+wraps?", r"\bginger\s+beer",
         r"\broot\s+beer", r"\bbuckwheat\b", r"\bcream\s+of\s+tartar"),
        _w("gluten")),  # not "wheat-free": rye and barley still hold gluten
    Group("crustaceans", "EU+US", _w(
        "crustacean, shellfish, seafood, shrimp, prawn, crab, lobster, langoustine, scampi, crayfish, crawfish, "
        "krill, dublin bay prawn"), _w(
        "shrimp paste, belacan, terasi, xo sauce, thai curry paste, red curry paste, green curry paste, "
        "yellow curry paste, massaman curry paste, kimchi, surimi, crab stick, bisque, "
        "dried shrimp, nam prik, bagoong, seafood stock, shellfish stock, paella, bouillabaisse"),
        (r"\bcrab\s*apples?",), _w("shellfish, crustacean")),
    Group("molluscs", "EU", _w(
        "mollusc, mollusk, shellfish, seafood, mussel, clam, oyster, scallop, squid, calamari, octopus, "
        "cuttlefish, cockle, whelk, winkle, periwinkle, abalone, snail, escargot, razor clam, vongole"), _w(
        "oyster sauce, xo sauce, clam juice, seafood stock, shellfish stock, paella, bouillabaisse, squid ink"),
        (r"\boyster\s+mushrooms?", r"\bking\s+oyster", r"\boyster\s+crackers?"), _w("shellfish, mollusc")),
    Group("fish", "EU+US", _w(
        "fish, salmon, tuna, cod, haddock, pollock, hake, halibut, trout, mackerel, sardine, anchovy, herring, "
        "kipper, sea bass, sea bream, bream, sole, tilapia, swordfish, snapper, plaice, monkfish, catfish, eel, "
        "bonito, pilchard, sprat, whitebait, coley, basa, pangasius, mahi mahi, carp, perch, pike, turbot, "
        "skate, caviar, roe, bottarga, lox, gravlax"), _w(
        "fish sauce, nam pla, nuoc mam, patis, worcestershire sauce, caesar dressing, caesar salad, dashi, "
        "katsuobushi, bonito flakes, furikake, tapenade, taramasalata, gentleman's relish, xo sauce, surimi, "
        "crab stick, thai curry paste, red curry paste, green curry paste, kimchi, "
        "fish stock, puttanesca, bagna cauda, garum"),
        (), _w("fish")),
    Group("eggs", "EU+US", _w("egg, egg white, egg yolk, albumen, meringue"), _w(
        "mayonnaise, mayo, aioli, hollandaise, bearnaise, eggnog, custard, brioche, challah, egg noodle, "
        "egg pasta, fresh pasta, tartare sauce, tartar sauce, caesar dressing, remoulade, carbonara, "
        "marshmallow, macaron, pavlova, souffle, quiche, frittata, omelette, omelet, zabaglione, sabayon, "
        "tiramisu, salad cream, lemon curd, ladyfinger, savoiardi, meringue nest, fresh egg pasta, "
        "yorkshire pudding, batter, pancake, waffle, brownie, cake"),
        (), _w("egg") + _ANIMAL_FREE),
    Group("peanuts", "EU+US", _w("peanut, groundnut, monkey nut, goober, arachis oil, arachide"), _w(
        "satay, peanut sauce, gado gado, kung pao, mixed nuts, nut butter, nut oil, praline"),
        (), _w("peanut, nut")),
    Group("tree nuts", "EU+US", _w(
        "nut, tree nut, almond, walnut, cashew, pecan, hazelnut, filbert, pistachio, macadamia, pine nut, "
        "pignoli, brazil nut, chestnut, queensland nut, marron"), _w(
        "pesto, marzipan, praline, frangipane, gianduja, nutella, amaretto, amaretti, baklava, nougat, "
        "romesco, dukkah, korma, muesli, granola, nut butter, nut oil, nut milk, almond extract, orgeat, "
        "macaron, florentine, turron, panforte, pralines, nut roast, mixed nuts, trail mix, biscotti, "
        "ground almonds, frangelico, bakewell"),
        (r"\bwater\s+chestnuts?", r"\bchestnut\s+mushrooms?", r"\btiger\s*nuts?", r"\bmonkey\s+nuts?",
         r"\bdoughnuts?", r"\bnutmeg", r"\bcoconut", r"\bbutternut", r"\bpeanuts?", r"\bgroundnuts?",
         r"\bnutritional\s+yeast", r"\bnut[\s-]+free\b"),
        _w("nut, tree nut")),
    Group("milk", "EU+US", _w(
        "milk, dairy, butter, buttermilk, cheese, parmesan, parmigiano, grana padano, pecorino, mozzarella, "
        "cheddar, feta, halloumi, ricotta, mascarpone, paneer, gruyere, emmental, brie, camembert, burrata, "
        "gorgonzola, stilton, roquefort, manchego, gouda, edam, quark, cottage cheese, cream cheese, "
        "cream, double cream, single cream, whipping cream, creme fraiche, sour cream, yogurt, yoghurt, "
        "skyr, labneh, ghee, whey, casein, lactose, kefir, curd, fromage frais, condensed milk, "
        "evaporated milk, milk powder, ice cream, gelato"), _w(
        "custard, white chocolate, milk chocolate, chocolate, bechamel, alfredo, carbonara, tzatziki, raita, "
        "butterscotch, caramel, toffee, fudge, dulce de leche, pesto, caesar dressing, brioche, naan, "
        "cheesecake, tiramisu, panna cotta, korma, queso, mornay, hollandaise, bearnaise, rarebit"),
        (_PLANT_MILK, r"\b(?:peanut|cocoa|shea|apple|seed|nut|almond|cashew|sunflower|pumpkin|pistachio|"
         r"hazelnut|mango|kokum)\s+butter", r"\bbutter\s*beans?", r"\bbutter\s*nut", r"\bbutter\s+lettuce",
         r"\bbutterhead", r"\bcream\s+of\s+tartar", r"\bcream\s+crackers?", r"\bcoconut\s+(?:milk|cream)",
         r"\bcoconut\s+yog(?:h)?urt", r"\b(?:bean|tofu|soy)\s+curds?", r"\blemon\s+curd", r"\bcocoa\s+(?:powder|nibs?)",
         r"\bmilk\s+thistle", r"\bcreamed\s+coconut", r"\bsalad\s+cream"),
        _w("dairy, milk") + _ANIMAL_FREE),  # not "lactose-free": that milk still holds milk protein
    Group("soy", "EU+US", _w(
        "soy, soya, soybean, soy bean, tofu, tempeh, edamame, miso, tamari, natto, bean curd, yuba, "
        "soy lecithin, textured vegetable protein, tvp, okara"), _w(
        "soy sauce, shoyu, teriyaki, hoisin, black bean sauce, doenjang, gochujang, kecap manis, ponzu, "
        "yakitori sauce, tofu skin"),
        (), _w("soy, soya")),
    Group("sesame", "EU+US", _w("sesame, tahini, tahina, gomasio, gomashio, benne"), _w(
        "halva, halvah, halwa, za'atar, zaatar, hummus, houmous, baba ganoush, furikake, dukkah, "
        "sesame oil, gomae, sesame snap"),
        (), _w("sesame")),
    Group("mustard", "EU", _w("mustard, dijon, mustard seed, mustard greens, wholegrain mustard"), _w(
        "piccalilli, honey mustard, remoulade, vinaigrette, mayonnaise, mayo, salad cream, ras el hanout, "
        "panch phoron, curry powder"),
        (), _w("mustard")),
    Group("celery", "EU", _w("celery, celeriac, celery salt, celery seed, celery leaf"), _w(
        "stock cube, bouillon, mirepoix, soffritto, sofrito, gravy granules, vegetable stock, celery salt"),
        (), _w("celery")),
    Group("lupin", "EU", _w("lupin, lupine, lupini, lupin flour"), (), (), _w("lupin")),
    Group("sulphites", "EU", _w("sulphite, sulfite, sulphur dioxide, sulfur dioxide, e220, metabisulphite"), _w(
        "wine, prosecco, champagne, cava, sherry, port, vermouth, cider, beer, dried apricot, dried fruit, "
        "raisin, sultana, currant, prune, dried fig, dried date, balsamic, wine vinegar, pickled, "
        "maraschino, glace cherry"),
        (), _w("sulphite, sulfite")),
    Group("corn", "", _w(
        "corn, maize, cornflour, cornstarch, corn starch, polenta, sweetcorn, popcorn, cornmeal, grits, masa, "
        "masa harina, hominy, corn syrup, corn oil, corn tortilla, cornbread, baby corn"), _w(
        "tortilla chip, nacho, taco shell, cornflake"),
        (), _w("corn, maize")),
    Group("nightshades", "", _w(
        "nightshade, tomato, cherry tomato, potato, aubergine, eggplant, bell pepper, red pepper, green pepper, "
        "re:peppers, yellow pepper, orange pepper, sweet pepper, romano pepper, padron pepper, piquillo, pimento, "
        "pimiento, chilli, chili, chile, jalapeno, habanero, scotch bonnet, serrano, poblano, chipotle, "
        "ancho, cayenne, paprika, tomatillo, goji, cape gooseberry, physalis"), _w(
        "ketchup, passata, tomato puree, tomato paste, salsa, harissa, sriracha, tabasco, hot sauce, "
        "gochujang, gochugaru, chilli powder, chili powder, curry powder, ras el hanout, piri piri, peri peri, "
        "bloody mary, ratatouille, shakshuka, marinara, arrabbiata, chilli flakes, red pepper flakes"),
        (r"\bsweet\s+potato(?:es)?", r"\b(?:black|white|pink|sichuan|szechuan|long|lemon)\s+peppers?",
         r"\bpeppercorns?"), _w("nightshade"), whole=False),
    Group("alliums", "", _w(
        "allium, onion, red onion, spring onion, green onion, scallion, shallot, leek, garlic, wild garlic, "
        "chive, ramp, ramson, elephant garlic, garlic powder, onion powder, garlic salt"), _w(
        "aioli, pesto, garlic bread, salsa, stock cube, bouillon, soffritto, sofrito, mirepoix, "
        "french onion soup, gravy granules"),
        (r"\bonion\s+seeds?", r"\bnigella"), _w("onion, garlic, allium"), whole=False),
    Group("meat", "", _w(
        "meat, beef, steak, veal, lamb, mutton, goat, venison, rabbit, mince, meatball, pork, bacon, ham, gammon, "
        "prosciutto, pancetta, guanciale, chorizo, salami, pepperoni, sausage, nduja, lard, burger, oxtail, "
        "liver, kidney, brisket, mince meat"), _w("beef stock, lamb stock, bone broth, gravy, suet, dripping"),
        (r"\bkidney\s+beans?",),
        _w("meat") + _ANIMAL_FREE, whole=False),
    Group("poultry", "", _w("poultry, chicken, turkey, duck, goose, quail, pheasant, guinea fowl, poussin"),
        _w("chicken stock, chicken broth, schmaltz"), (), _w("chicken") + _ANIMAL_FREE, whole=False),
    Group("pork", "", _w(
        "pork, bacon, ham, gammon, prosciutto, pancetta, guanciale, chorizo, salami, pepperoni, sausage, "
        "nduja, lard, spare rib, pork belly, crackling"), _w("gelatin, gelatine"), (),
        _w("pork") + _ANIMAL_FREE, whole=False),
    Group("alcohol", "", _w(
        "alcohol, wine, beer, ale, lager, stout, cider, mirin, sake, shaoxing, rum, brandy, cognac, sherry, vodka, "
        "gin, whisky, whiskey, bourbon, liqueur, vermouth, marsala, amaretto, kirsch, port, prosecco, "
        "champagne, tequila, calvados"), _w("tiramisu, rum baba, trifle, vanilla extract"),
        (r"\b(?:wine|cider|sherry|rice wine|rice)\s+vinegar", r"\b(?:ginger|root)\s+beer", r"\bnon[\s-]+alcoholic",
         r"\balcohol[\s-]+free"), _w("alcohol"), whole=False),
    Group("gelatin", "", _w("gelatin, gelatine, gelatine leaf, aspic"), _w("marshmallow, gummy, jelly sweets, panna cotta"),
        (), _w("gelatin, gelatine"), whole=False),
)

BY_NAME: dict[str, Group] = {g.name: g for g in GROUPS}

_SHELLFISH = ("crustaceans", "molluscs")
_NUTS = ("tree nuts", "peanuts")

#: what cooks type (filler removed, singular, accent-free) -> group names
NAMES: dict[str, tuple[str, ...]] = {
    # English synonyms and umbrella words
    "gluten": ("gluten",), "wheat": ("gluten",), "coeliac": ("gluten",), "celiac": ("gluten",),
    "coeliac sprue": ("gluten",), "celiac sprue": ("gluten",), "cereal": ("gluten",), "grain": ("gluten",),
    "cereals containing gluten": ("gluten",), "cereal containing gluten": ("gluten",), "barley": ("gluten",),
    "rye": ("gluten",), "oat": ("gluten",),
    "shellfish": _SHELLFISH, "shell fish": _SHELLFISH, "crustacean": ("crustaceans",),
    "crustacean shellfish": ("crustaceans",), "mollusc": ("molluscs",), "mollusk": ("molluscs",),
    "molluscan shellfish": ("molluscs",), "seafood": ("fish", *_SHELLFISH), "sea food": ("fish", *_SHELLFISH),
    "fish": ("fish",), "finned fish": ("fish",), "fin fish": ("fish",), "finfish": ("fish",),
    "egg": ("eggs",), "hen egg": ("eggs",), "chicken egg": ("eggs",),
    "peanut": ("peanuts",), "groundnut": ("peanuts",), "ground nut": ("peanuts",), "monkey nut": ("peanuts",),
    "nut": _NUTS, "tree nut": ("tree nuts",), "treenut": ("tree nuts",), "all nut": _NUTS,
    "dairy": ("milk",), "milk": ("milk",), "lactose": ("milk",), "cow milk": ("milk",), "cows milk": ("milk",),
    "dairy product": ("milk",), "milk product": ("milk",), "cmpa": ("milk",), "casein": ("milk",),
    "whey": ("milk",), "cmpi": ("milk",),
    "soy": ("soy",), "soya": ("soy",), "soybean": ("soy",), "soy bean": ("soy",), "soya bean": ("soy",),
    "sesame": ("sesame",), "sesame seed": ("sesame",),
    "mustard": ("mustard",), "celery": ("celery",), "lupin": ("lupin",), "lupine": ("lupin",),
    "sulphite": ("sulphites",), "sulfite": ("sulphites",), "sulphur dioxide": ("sulphites",),
    "sulfur dioxide": ("sulphites",), "sulfate": ("sulphites",), "sulphate": ("sulphites",),
    "corn": ("corn",), "maize": ("corn",),
    "nightshade": ("nightshades",), "solanaceae": ("nightshades",), "nightshade vegetable": ("nightshades",),
    "allium": ("alliums",), "onion family": ("alliums",), 
    "meat": ("meat",), "red meat": ("meat",), "poultry": ("poultry",), "pork": ("pork",),
    "pig": ("pork",), "alcohol": ("alcohol",), "gelatin": ("gelatin",), "gelatine": ("gelatin",),
    # common misspellings
    "diary": ("milk",), "dariy": ("milk",), "lactos": ("milk",), "lactoce": ("milk",),
    "gluton": ("gluten",), "glutten": ("gluten",), "glutin": ("gluten",), "gluteen": ("gluten",),
    "wheet": ("gluten",), "weat": ("gluten",), "seliac": ("gluten",), "celiak": ("gluten",),
    "coeliak": ("gluten",), "ceoliac": ("gluten",), "coliac": ("gluten",),
    "penut": ("peanuts",), "peanutt": ("peanuts",), "pnut": ("peanuts",), "p nut": ("peanuts",),
    "shelfish": _SHELLFISH, "shellfis": _SHELLFISH, "shelfis": _SHELLFISH, "crustacia": ("crustaceans",),
    "crustacea": ("crustaceans",), "molusc": ("molluscs",), "mollusc shellfish": ("molluscs",),
    "seseme": ("sesame",), "sesami": ("sesame",), "sesamee": ("sesame",), "sesamie": ("sesame",),
    "mustad": ("mustard",), "musterd": ("mustard",), "celary": ("celery",), "cellery": ("celery",),
    "sulfit": ("sulphites",), "sulphit": ("sulphites",), "soja": ("soy",), 
    "eggs": ("eggs",), "nutt": _NUTS, "tree nutt": ("tree nuts",),
    # EU labelling names in French, German, Spanish, Italian (accents are removed before lookup)
    "ble": ("gluten",), "weizen": ("gluten",), "trigo": ("gluten",), "grano": ("gluten",), "frumento": ("gluten",),
    "glutine": ("gluten",), "celiaquia": ("gluten",), "zoeliakie": ("gluten",), "celiachia": ("gluten",),
    "crustace": ("crustaceans",), "krebstier": ("crustaceans",), "crustaceo": ("crustaceans",),
    "crostaceo": ("crustaceans",), "crostacei": ("crustaceans",), "marisco": ("fish", *_SHELLFISH),
    "fruit de mer": ("fish", *_SHELLFISH), "frutti di mare": ("fish", *_SHELLFISH), "meeresfruchte": ("fish", *_SHELLFISH),
    "mollusque": ("molluscs",), "weichtier": ("molluscs",), "molusco": ("molluscs",), "mollusco": ("molluscs",),
    "molluschi": ("molluscs",),
    "poisson": ("fish",), "fisch": ("fish",), "pescado": ("fish",), "pesce": ("fish",), "pescados": ("fish",),
    "oeuf": ("eggs",), "oeufs": ("eggs",), "ei": ("eggs",), "eier": ("eggs",), "huevo": ("eggs",),
    "uovo": ("eggs",), "uova": ("eggs",),
    "arachide": ("peanuts",), "cacahuete": ("peanuts",), "cacahuete mani": ("peanuts",), "mani": ("peanuts",),
    "erdnuss": ("peanuts",), "erdnusse": ("peanuts",), "arachidi": ("peanuts",), "cacahuate": ("peanuts",),
    "fruit a coque": ("tree nuts",), "fruits a coque": ("tree nuts",), "noix": ("tree nuts",),
    "schalenfrucht": ("tree nuts",), "schalenfruchte": ("tree nuts",), "nuss": _NUTS, "nusse": _NUTS,
    "fruto de cascara": ("tree nuts",), "frutos de cascara": ("tree nuts",), "fruto seco": _NUTS,
    "frutos seco": _NUTS, "nuece": ("tree nuts",), "frutta a guscio": ("tree nuts",), "noci": ("tree nuts",),
    "frutta secca": _NUTS,
    "lait": ("milk",), "laitier": ("milk",), "milch": ("milk",),
    "laktose": ("milk",), "leche": ("milk",), "lacteo": ("milk",), "lactosa": ("milk",), "latte": ("milk",),
    "lattosio": ("milk",), "latticini": ("milk",), "produit laitier": ("milk",),
    "sesamo": ("sesame",), "sesam": ("sesame",),
    "moutarde": ("mustard",), "senf": ("mustard",), "mostaza": ("mustard",), "senape": ("mustard",),
    "celeri": ("celery",), "sellerie": ("celery",), "apio": ("celery",), "sedano": ("celery",),
    "altramuz": ("lupin",), "lupino": ("lupin",), "lupine seed": ("lupin",),
    "sulfites": ("sulphites",), "sulfiti": ("sulphites",), "sulfito": ("sulphites",), "sulfit": ("sulphites",),
    "anhydride sulfureux": ("sulphites",), "schwefeldioxid": ("sulphites",),
    "mais": ("corn",), "maiz": ("corn",),
}

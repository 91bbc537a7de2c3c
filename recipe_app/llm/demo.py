"""The built-in demo model, used when no API key is configured.

:func:`build_demo_recipe` writes a plausible recipe from the cook's request without any AI: it
picks a dish style that fits the diet, equipment, time and cuisine, uses the cook's ingredients
plus a few pantry staples, and never includes anything the cook is allergic to.

:class:`DemoTransport` is an ``httpx`` transport that answers the OpenAI chat-completions API with
real wire bytes (server-sent ``chat.completion.chunk`` events, paced like a real model), so the
app talks to the demo through the very same ``openai.AsyncOpenAI`` code path as to a provider.
It honours ``stream``, ``stream_options.include_usage``, ``max_tokens`` (finish reason "length"),
``seed`` and continuation requests; closing the response stops generation at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import re
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import httpx

from recipe_app.kitchen.allergens import allergen_matches, mentions, normalise
from recipe_app.kitchen.timers import detect_timers
from recipe_app.domain.request import RecipeRequest
from recipe_app.llm import demo_answers
from recipe_app.llm.prompts import request_from_messages
from recipe_app.domain.recipe import HowToStep, Ingredient, Nutrition, Recipe

DEMO_MODEL = "demo-chef"

# kind: unit, amount per serving, grams per unit, protein/fat/carbs per 100 g, prep note, words.
# An ingredient gets the first kind (in this order) one of whose words it mentions, else "veg".
_KINDS: dict[str, tuple[str, float, float, float, float, float, str, str]] = {
    "sauce": ("tbsp", 1, 15, 3, 4, 20, "", "soy sauce,tamari,coconut aminos,fish sauce,oyster sauce,hoisin,vinegar,mustard,dijon,honey,maple syrup,pesto,curry paste,miso,tahini,gochujang,peanut butter,nut butter,ketchup,sriracha,harissa,hot sauce,worcestershire sauce,mayonnaise,tomato puree,tomato paste,salsa"),
    "liquid": ("ml", 120, 1, 1, 6, 3, "", "stock,broth,coconut milk,coconut cream,passata,chopped tomatoes,tinned tomatoes,almond milk,oat milk,soy milk,wine"),
    "spice": ("tsp", 0.5, 3, 12, 10, 50, "", "cumin,paprika,turmeric,garam masala,curry powder,chilli flakes,chili flakes,chilli powder,cinnamon,oregano,black pepper,cayenne,ground coriander,five-spice,za'atar,sumac,nutritional yeast,dried thyme,mixed herbs,salt"),
    "nuts": ("g", 15, 1, 20, 50, 15, "toasted", "almond,walnut,cashew,peanut,pine nut,pistachio,hazelnut,pecan,seed,nut"),
    "veg": ("g", 100, 1, 2, 0.3, 6, "chopped", "cauliflower rice,courgette noodles,green bean,bean sprout,sweetcorn,broccoli,carrot,pepper,spinach,mushroom,courgette,zucchini,aubergine,eggplant,tomato,cauliflower,kale,cabbage,pea,asparagus,cucumber,lettuce,rocket,avocado,beetroot,celery,fennel,pak choi,bok choy,chard,radish,okra"),
    "starch": ("g", 75, 1, 11, 2, 72, "", "rice,pasta,spaghetti,penne,fusilli,linguine,tagliatelle,macaroni,orzo,noodle,udon,ramen,quinoa,couscous,bulgur,barley,farro,bread,tortilla,wrap,pitta,naan,gnocchi,oats,polenta"),
    "potato": ("g", 200, 1, 2, 0.2, 17, "cut into 3 cm chunks", "potato,sweet potato,squash,pumpkin,parsnip"),
    "plant": ("g", 120, 1, 9, 4, 14, "drained", "tofu,tempeh,chickpea,lentil,bean,edamame,seitan"),
    "fat": ("tbsp", 1, 14, 0, 100, 0, "", "oil,butter,ghee,lard"),
    "dairy": ("g", 30, 1, 20, 25, 3, "crumbled or grated", "cheese,parmesan,feta,mozzarella,cheddar,halloumi,ricotta,paneer,cream,yogurt,yoghurt,creme fraiche,milk"),
    "meat": ("g", 150, 1, 22, 10, 0, "cut into bite-sized pieces", "chicken,beef,pork,lamb,turkey,duck,steak,mince,sausage,bacon,chorizo,ham,pancetta"),
    "fish": ("g", 140, 1, 21, 8, 0, "skinned, cut into chunks", "salmon,cod,tuna,haddock,trout,mackerel,sea bass,hake,white fish,fish"),
    "shellfish": ("g", 120, 1, 20, 1, 1, "peeled", "prawn,shrimp,scallop,mussel,clam,squid,crab,lobster"),
    "egg": ("", 1, 50, 13, 10, 1, "", "egg"),
    "onion": ("", 0.5, 120, 1, 0, 9, "finely chopped", "onion,shallot,leek,scallion"),
    "garlic": ("clove", 1, 5, 6, 0.5, 33, "crushed", "garlic"),
    "aromatic": ("g", 5, 1, 2, 1, 10, "finely chopped", "ginger,chilli,chili,lemongrass,jalapeno"),
    "herb": ("g", 5, 1, 3, 1, 5, "roughly chopped", "basil,coriander,cilantro,parsley,mint,dill,thyme,rosemary,chives,tarragon,sage"),
    "acid": ("", 0.25, 60, 1, 0, 9, "juiced", "lemon,lime"),
    "fruit": ("g", 80, 1, 1, 0.3, 13, "sliced", "apple,pear,mango,pineapple,peach,grape,orange,pomegranate,berry,fig"),
}
_KIND_WORDS = {kind: tuple(row[7].split(",")) for kind, row in _KINDS.items()}
_ROLE = {"meat": "protein", "fish": "protein", "shellfish": "protein", "plant": "protein", "potato": "veg",
         "fruit": "veg", "onion": "aromatics", "garlic": "aromatics", "aromatic": "aromatics"}
_PROTEIN = {"meat", "fish", "shellfish", "plant", "egg"}



class _Style(NamedTuple):
    """A kind of dish the demo model knows how to write."""

    noun: str  # last word of a generated name
    prep: int  # minutes
    cook: int
    min_total: int  # the fastest it can honestly be done
    gear: str  # any of these (substrings of the cook's equipment) will do; empty: needs none
    cuisine: str  # default flavour, a key of _CUISINES
    words: str  # words in the dish idea or ingredients that suggest this style
    staples: str  # groups split by ";", alternatives by "|" (first allowed wins); "!" required,
    #               "+" only while fewer than two vegetables, "~" to taste, "*n" amount per serving
    steps: str  # one step per line, sentences split by " | "; a sentence whose {role} is empty is dropped
    blurb: str  # start of the description
    tips: str  # split by "|"


_STYLES: dict[str, _Style] = {
    "stir-fry": _Style("Stir-Fry", 15, 10, 20, "wok,pan,skillet,hob,stove", "chinese", "stir-fry,stir fry,wok,noodle,rice,fried rice,chow mein,pad thai,teriyaki,kung pao,sweet and sour",
        "chicken thighs|king prawns|firm tofu; jasmine rice|rice noodles|cauliflower rice; +tenderstem broccoli|pak choi; +red pepper|mangetout; garlic; vegetable oil|olive oil",
        "Cook the {starch} according to the packet instructions, then drain and keep warm.\nCut the {protein} into bite-sized pieces. | Slice the {veg} into even pieces so everything cooks at the same speed.\nHeat half the {fat} in a wok over a high heat. | Stir-fry the {protein} for 4–5 minutes until golden and cooked through, then tip onto a plate.\nAdd the rest of the oil and the {aromatics} and stir-fry for 1 minute until fragrant. | Push to one side and scramble the {egg} in the gap.\nAdd the {veg} with a splash of water and stir-fry for 3–4 minutes until just tender but still bright.\nReturn the {protein} to the wok. | Stir in the {sauce} and toss for a minute until everything is glossy. | Pour in the {liquid} and bubble for 2 minutes. | Sprinkle over the {spice}.\nServe straight away over the {starch}. | Scatter over the {herb}. | Top with the {nuts}. | Scatter over the {dairy}. | Add a squeeze of {acid}.",
        "A fast, high-heat stir-fry of {main}, tossed in a glossy, savoury sauce",
        "Get everything chopped before the wok goes on: once it is hot, the cooking takes minutes.|Cook in batches if your pan is small; crowding steams the ingredients instead of searing them."),
    "traybake": _Style("Traybake", 15, 30, 25, "oven", "mediterranean", "traybake,tray bake,sheet pan,roast,roasted,bake,baked,casserole,fajita",
        "chicken thighs|salmon fillets|chickpeas; baby potatoes|cauliflower florets; +cherry tomatoes|courgette; red onion; garlic; olive oil|vegetable oil; smoked paprika; lemon",
        "Heat the oven to 200°C (180°C fan) and line a large roasting tray with baking paper.\nCut the {veg} into even chunks and tip into the tray with the {aromatics}.\nDrizzle with the {fat}. | Sprinkle over the {spice}. | Toss everything together so it is well coated, then spread out in a single layer.\nAdd the {protein} to the tray and turn in the oil. | Roast for {cook} minutes, turning halfway, until golden at the edges and cooked through. | Crack the {egg} into gaps in the tray for the last 8 minutes.\nDrizzle over the {sauce}. | Spoon over the {liquid} for the last 10 minutes.\nSqueeze over the {acid}. | Scatter with the {herb}. | Top with the {dairy}. | Scatter over the {nuts}.\nServe straight from the tray. | Serve with the {starch}.",
        "An easy one-tray roast of {main}, where the oven does most of the work",
        "Spread everything out in a single layer so it roasts rather than steams; use two trays for a crowd.|Cut the vegetables to a similar size so they are all tender at the same time."),
    "soup": _Style("Soup", 15, 25, 25, "pot,pan,slow cooker,pressure cooker,casserole,dutch oven,hob,stove", "modern", "soup,broth,stew,chowder,minestrone,bisque,ramen,pho,laksa",
        "cannellini beans|red lentils; onion; garlic; +carrot; +celery|leek|courgette; vegetable stock*300; olive oil|vegetable oil",
        "Heat the {fat} in a large saucepan over a medium heat. | Add the {aromatics} with a pinch of salt and cook gently for 5 minutes until softened.\nAdd the {veg} and cook for 3–4 minutes, stirring now and then. | Stir in the {spice}. | Stir in the {sauce}.\nPour in the {liquid} and bring to the boil, then lower the heat and simmer for {simmer} minutes until the vegetables are tender.\nAdd the {protein} and simmer for 8 minutes more, until cooked through. | Stir in the {starch} and simmer until tender. | Crack the {egg} into the soup for the last 4 minutes to poach.\nBlend about a third of the soup for body, or leave it chunky if you prefer.\nLadle into warm bowls. | Top with the {herb}. | Finish with the {dairy}. | Scatter over the {nuts}. | Add a squeeze of {acid}.",
        "A comforting one-pot soup of {main}",
        "Soups improve overnight: make it a day ahead and reheat gently, adding a splash of water if it has thickened.|Freeze leftovers in portions for up to three months."),
    "pasta": _Style("Pasta", 10, 15, 20, "pot,pan,hob,stove", "italian", "pasta,spaghetti,penne,linguine,fusilli,tagliatelle,macaroni,carbonara,bolognese,orzo,rigatoni,gnocchi,pesto",
        "!spaghetti|gluten-free spaghetti; +cherry tomatoes|courgette; +baby spinach|rocket; garlic; olive oil; chilli flakes; lemon",
        "Bring a large pan of well-salted water to the boil and cook the {starch} until al dente, following the packet timings.\nMeanwhile, heat the {fat} in a large frying pan over a medium-high heat. | Add the {protein} and cook for 5–6 minutes until golden and cooked through.\nAdd the {aromatics} and cook for 1–2 minutes until fragrant but not browned. | Sprinkle in the {spice}.\nAdd the {veg} and cook for 4–5 minutes until softened and starting to collapse. | Stir in the {sauce}. | Pour in the {liquid} and simmer for a few minutes.\nScoop out a mugful of the cooking water, then drain the {starch} and tip it into the frying pan.\nToss everything together over the heat, adding splashes of the cooking water until glossy. | Stir through the {dairy}. | Add a squeeze of {acid}.\nServe in warm bowls. | Fry the {egg} in a little oil until the whites are set and put on top. | Scatter over the {herb}. | Top with the {nuts}.",
        "A bright weeknight pasta of {main}, tossed in a glossy sauce made with the pasta water",
        "Save the pasta water: its starch turns oil and juices into a silky sauce.|Salt the pasta water well; it is the only chance to season the pasta itself."),
    "salad": _Style("Salad", 15, 10, 5, "", "mediterranean", "salad,slaw,lettuce,cucumber,leaves,rocket,no-cook,caesar,nicoise,tabbouleh",
        "chickpeas|feta|chicken breast; +cucumber; +cherry tomatoes|radishes; +mixed salad leaves|rocket; olive oil; lemon; dijon mustard|red wine vinegar; pumpkin seeds|sunflower seeds",
        "Cook the {starch} according to the packet instructions, then spread out to cool.\nFry the {protein} in a little of the {fat} over a medium-high heat for 6–8 minutes until golden and cooked through. | Meanwhile, boil the {egg} for 8 minutes, cool in cold water, then peel and quarter.\nChop the {veg} into bite-sized pieces and put in a large bowl. | Add the {aromatics}.\nMake the dressing: whisk the rest of the {fat} with a pinch of salt. | Whisk in the {sauce}. | Add the juice of the {acid}.\nPour the dressing over the salad and toss gently. | Add the {starch} and {protein} and toss again. | Sprinkle over the {spice}.\nScatter over the {dairy}. | Scatter over the {nuts}. | Finish with the {herb}. | Serve straight away.",
        "A fresh, crunchy salad of {main} with a punchy dressing",
        "Dress the salad just before serving so the leaves stay crisp.|The dressing keeps in a jar in the fridge for up to three days."),
    "curry": _Style("Curry", 15, 25, 25, "pot,pan,casserole,slow cooker,wok,hob,stove", "indian", "curry,masala,korma,dal,dhal,tikka,jalfrezi,coconut milk,vindaloo,katsu,rice,biryani,rendang",
        "chicken thighs|chickpeas|red lentils; coconut milk|chopped tomatoes; basmati rice|cauliflower rice; +baby spinach|green beans; +red pepper|cauliflower florets; onion; garlic; ginger; vegetable oil|olive oil",
        "Cook the {starch} according to the packet instructions and keep warm.\nHeat the {fat} in a large, deep pan over a medium heat. | Add the {aromatics} and cook for 6–8 minutes, stirring often, until soft and golden.\nStir in the {spice} and cook for 1 minute until fragrant. | Stir in the {sauce} and cook for 1 minute.\nAdd the {protein} and stir to coat in the spices.\nPour in the {liquid}, bring to a simmer and cook for {simmer} minutes, stirring occasionally, until thickened and cooked through.\nAdd the {veg} for the last 8 minutes so they stay vibrant.\nMeanwhile, boil the {egg} for 8 minutes, cool in cold water, peel, halve and add to the curry. | Squeeze in the {acid}. | Stir through the {dairy}.\nServe over the {starch}. | Scatter with the {herb}. | Top with the {nuts}.",
        "A rich, fragrant curry of {main}, simmered until thick and glossy",
        "Like most curries, it tastes even better the next day; it keeps in the fridge for up to three days.|Fry the spices until fragrant before adding liquid: it is the difference between flat and vibrant."),
    "frittata": _Style("Frittata", 10, 20, 25, "pan,skillet,hob,stove", "italian", "frittata,omelette,omelet,egg,quiche,tortilla,shakshuka,brunch",
        "!eggs*2; +baby spinach|courgette; +cherry tomatoes|red pepper; onion; cheddar|parmesan|feta; olive oil|vegetable oil; fresh chives|fresh parsley",
        "Whisk the {egg} in a large bowl with a good pinch of salt and pepper.\nHeat the {fat} in a 24 cm non-stick frying pan over a medium heat. | Add the {aromatics} and cook for 5 minutes until soft.\nAdd the {protein} and cook for 4–5 minutes until golden and cooked through.\nAdd the {veg} and cook for 3–4 minutes until tender. | Stir in the {spice}. | Stir in the {sauce}.\nStir half the {dairy} into the eggs. | Pour the eggs into the pan and stir once or twice so the filling is evenly spread.\nScatter over the rest of the {dairy}. | Cook without stirring for {simmer} minutes, until the edges are set.\nCover with a lid for the last few minutes, or slide under a hot grill, until just set in the middle.\nLeave to settle for 2 minutes, then cut into wedges. | Scatter over the {herb}. | Serve with the {starch}. | Add a squeeze of {acid}.",
        "A thick, golden frittata packed with {main}, as good warm as it is cold",
        "Take the pan off the heat while the middle still wobbles slightly; it keeps cooking as it rests.|Leftover wedges make a great packed lunch."),
    "grain bowl": _Style("Grain Bowl", 15, 20, 20, "pot,pan,rice cooker,hob,stove", "modern", "bowl,buddha bowl,poke,quinoa,grain,rice,burrito,taco",
        "chickpeas|salmon fillets|firm tofu; quinoa|brown rice|cauliflower rice; +avocado|cucumber; +carrot|red cabbage; olive oil|vegetable oil; tahini|greek yogurt; lemon|lime; pumpkin seeds|sunflower seeds",
        "Rinse the {starch}, then cook according to the packet instructions; fluff up with a fork and keep warm.\nHeat a little of the {fat} in a frying pan over a medium-high heat and cook the {protein} for 6–8 minutes, turning, until golden and cooked through. | Add the {aromatics} for the last minute{?protein}.\nMeanwhile, boil the {egg} for 7 minutes, cool in cold water, then peel and halve.\nPrepare the {veg}: slice, shred or cut into bite-sized pieces.\nMake the dressing: whisk the rest of the {fat} with the juice of the {acid} and a pinch of salt. | Whisk in the {sauce}, loosening with a splash of water. | Season with the {spice}.\nDivide the {starch} between the bowls. | Arrange the {veg} on top. | Add the {protein}. | Add the {egg}.\nSpoon over the dressing{?acid}. | Top with the {dairy}. | Scatter over the {nuts}. | Finish with the {herb}.",
        "A colourful, make-ahead bowl of {main} with a bright dressing",
        "Cook a double batch of grains: they keep for three days in the fridge and make fast lunches.|Keep the dressing separate until serving if you pack bowls for later."),
}
# cuisine: label, styles it favours, flavour staples (same syntax as style staples)
_CUISINES: dict[str, tuple[str, str, str]] = {
    "chinese": ("Chinese", "stir-fry soup", "soy sauce|tamari|coconut aminos; ginger; spring onions; rice vinegar|lime"),
    "thai": ("Thai", "curry stir-fry soup salad", "Thai red curry paste|red chilli; fish sauce|soy sauce|coconut aminos; lime; fresh coriander|Thai basil"),
    "indian": ("Indian", "curry traybake soup", "garam masala; ground turmeric; ground cumin; fresh coriander"),
    "italian": ("Italian", "pasta frittata traybake soup salad", "dried oregano; parmesan|nutritional yeast; fresh basil"),
    "mexican": ("Mexican", "grain-bowl traybake soup salad", "ground cumin; smoked paprika; lime; fresh coriander"),
    "japanese": ("Japanese", "grain-bowl stir-fry soup", "miso paste|soy sauce|coconut aminos; rice vinegar; ginger; sesame seeds|spring onions"),
    "korean": ("Korean", "stir-fry grain-bowl soup", "gochujang|sriracha; spring onions; sesame seeds|chilli flakes"),
    "mediterranean": ("Mediterranean", "salad traybake grain-bowl pasta", "dried oregano; lemon; fresh parsley|fresh mint"),
    "middle eastern": ("Middle Eastern", "traybake salad grain-bowl soup", "ground cumin; sumac|smoked paprika; fresh parsley|fresh mint"),
    "french": ("French", "soup frittata traybake salad", "dijon mustard|white wine vinegar; fresh thyme; fresh parsley"),
    "british": ("British", "traybake soup", "fresh thyme|fresh rosemary; wholegrain mustard|cider vinegar"),
    "american": ("American", "traybake salad grain-bowl", "smoked paprika; hot sauce|lime"),
    "modern": ("Modern European", "", "fresh parsley|fresh basil; chilli flakes"),
}
_PROPER = {"thai", "greek", "italian", "french", "chinese", "japanese", "korean", "mexican", "indian", "spanish",
           "dijon", "worcestershire", "parma", "cajun", "persian", "turkish", "moroccan", "lebanese"}
_CUISINE_ALIASES = {"greek": "mediterranean", "spanish": "mediterranean", "turkish": "middle eastern", "lebanese": "middle eastern",
                    "moroccan": "middle eastern", "persian": "middle eastern", "vietnamese": "thai", "asian": "chinese",
                    "sichuan": "chinese", "cantonese": "chinese", "tex-mex": "mexican", "english": "british", "irish": "british"}
_DIET_EXCLUDES: dict[str, tuple[str, ...]] = {
    "vegetarian": ("meat", "poultry", "pork", "fish", "shellfish", "gelatin"),
    "vegan": ("meat", "poultry", "pork", "fish", "shellfish", "gelatin", "milk", "eggs"),
    "pescatarian": ("meat", "poultry", "pork", "gelatin"),
    "gluten-free": ("gluten",), "dairy-free": ("milk",), "halal": ("pork", "alcohol", "gelatin"), "kosher": ("pork", "shellfish", "gelatin"),
}
# Single foods a diet rules out, looked for as words (not as allergen groups: kosher allows most fish).
_DIET_WORDS: dict[str, tuple[str, ...]] = {
    "vegan": ("honey",), "kosher": ("catfish", "eel", "shark", "monkfish"),
    "keto": ("sugar", "honey", "maple syrup", "flour", "breadcrumbs", "lentils", "chickpeas", "black beans", "kidney beans",
             "cannellini beans", "baked beans", "butter beans", "sweetcorn"),
}
_DIET_TIPS = {"halal": "Buy halal-certified meat and check stock cubes and sauces for alcohol.",
              "kosher": "Use kosher-certified ingredients; the recipe keeps meat and dairy apart.",
              "gluten-free": "Check that stock, sauces and spice mixes are labelled gluten-free."}


def _seed_for(request: RecipeRequest) -> int:
    """A stable seed for a request (sha256 of its JSON, unlike Python's salted ``hash``)."""
    return int.from_bytes(hashlib.sha256(request.model_dump_json().encode()).digest()[:8], "big")


@lru_cache(maxsize=1024)
def _kind(text: str) -> str:
    """The kind of an ingredient, which decides its unit, amount, nutrition and role in the steps."""
    return next((kind for kind, words in _KIND_WORDS.items() if mentions(text, words)), "veg")


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def _title(text: str) -> str:
    """Title case that leaves small words (except the first) and existing capitals alone."""
    small = {"and", "with", "of", "in", "on", "a", "an", "the", "for", "to", "or", "&"}
    words = text.split()
    return " ".join(w if (k and w in small) or not w[:1].islower() else w[:1].upper() + w[1:] for k, w in enumerate(words))


def _amount(unit: str, per: float, servings: int) -> float:
    """A sensibly rounded quantity; spoonfuls grow more slowly than the number of servings."""
    if unit in ("tbsp", "tsp"):
        return max(0.5, round(per * servings**0.7 * 2) / 2)
    qty = per * servings
    if unit in ("g", "ml"):
        step = 5 if qty < 100 else 10 if qty < 1000 else 50
        return float(max(step, round(qty / step) * step))
    return float(max(1, round(qty))) if per >= 1 or qty >= 3 else max(0.5, round(qty * 2) / 2)


def _iso(minutes: int) -> str:
    """Minutes as an ISO-8601 duration: 85 -> 'PT1H25M'."""
    hours, mins = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins or not hours else "")


def _display(item: str) -> str:
    """How a cook's ingredient reads inside a sentence: 'Chickpeas' -> 'chickpeas', 'Thai basil' unchanged."""
    proper = normalise(item.split()[0]) in _PROPER if item.split() else True
    return item if proper or not item[:1].isupper() or not item[1:].islower() else item[:1].lower() + item[1:]


def _cuisine_key(cuisine: str) -> str | None:
    """The :data:`_CUISINES` key for what the cook typed ('Greek' -> 'mediterranean'), if any."""
    key = normalise(cuisine)
    key = _CUISINE_ALIASES.get(key, key)
    return key if key in _CUISINES else next((k for k in _CUISINES if k in key), None)


_ADJECTIVES = {"stir-fry": "Speedy,Sticky,Garlicky", "traybake": "Golden,Smoky,Herby", "soup": "Hearty,Comforting,Chunky",
               "pasta": "Garlicky,Zesty,Speedy", "salad": "Crunchy,Fresh,Zesty", "curry": "Fragrant,Creamy,Golden",
               "frittata": "Golden,Herby,Fluffy", "grain bowl": "Rainbow,Zesty,Power"}
_NAME_RANK = {"protein": 0, "veg": 1, "egg": 1, "starch": 3, "dairy": 3, "nuts": 3}
_NOTES = {"mince": "", "sausage": "", "halloumi": "sliced", "bacon": "chopped", "tofu": "pressed and cut into cubes", "chickpea": "drained and rinsed",
          "bean": "drained and rinsed", "lentil": "rinsed", "green bean": "trimmed", "cherry tomato": "halved", "spinach": "",
          "leaves": "", "rocket": "", "avocado": "stoned and sliced", "asparagus": "trimmed", "mushroom": "sliced",
          "pak choi": "quartered", "broccoli": "cut into florets", "spring onion": "thinly sliced", "ginger": "finely grated",
          "parmesan": "finely grated", "cheddar": "grated", "feta": "crumbled", "yogurt": "", "cream": ""}
_ENOUGH = {"acid": 1, "fat": 1, "nuts": 1, "sauce": 2}  # staples of these kinds stop once there are this many
_ORDER = ("protein", "egg", "veg", "starch", "dairy", "liquid", "aromatics", "sauce", "spice", "fat", "herb", "acid", "nuts")
_NOT_A_NAME = {"a", "an", "some", "something", "anything", "any", "i", "we", "my", "make", "need", "what"}
_FILLERS = ("Weigh out all the ingredients and get your pans and bowls ready before you start.",
            "Taste before serving and adjust with a little more salt, acid or heat as you like.")


# Under a time limit too tight to cook them, these sentences use the food ready-cooked instead.
_NO_COOK = {
    "Fry the {protein} in a little of the {fat} over a medium-high heat for 6–8 minutes until golden and cooked through.":
        "Use the {protein} ready-cooked (leftovers or shop-bought) and slice or flake it.",
    "Meanwhile, boil the {egg} for 8 minutes, cool in cold water, then peel and quarter.":
        "Use hard-boiled {egg}, peeled and quartered.",
}
_UNTIMED = re.compile(r"\bpacket\b|\ba few minutes\b", re.IGNORECASE)
_SIMMER = "\x00"  # stands for the simmering minutes until the other timed sentences are counted
_OVERLAPS = re.compile(r"\bmeanwhile\b|\bthe last \d+ minutes\b|\bwhile\b", re.IGNORECASE)


def timeline_minutes(step: str) -> int:
    """Minutes a step adds to the cooking, at the upper end of each range: a sentence done alongside
    another ("Meanwhile, ...", "... for the last 8 minutes") adds nothing."""
    total = 0
    for sentence in re.split(r"(?<=[.!?])\s+", step):
        if not _OVERLAPS.search(sentence):
            total += sum(t.upper_seconds // 60 for t in detect_timers(sentence))
    return total


def _overlap(a: str, b: str) -> bool:
    """Whether two ingredient names refer to the same thing ('red onion' and 'onion', not 'black pepper' and 'pepper')."""
    return (mentions(a, [b]) or mentions(b, [a])) and _kind(a) == _kind(b)


@dataclass
class _Item:
    """One ingredient of the recipe being written."""

    item: str
    per: float | None = None  # amount per serving, when not the kind's default
    user: bool = False  # the cook asked for it
    taste: bool = False  # seasoning 'to taste'
    kind: str = field(init=False)

    def __post_init__(self) -> None:
        self.kind = _kind(self.item)

    @property
    def shown(self) -> str:
        """The name as it reads in a sentence (only the cook's own capitals are softened)."""
        return _display(self.item) if self.user else self.item

    @property
    def role(self) -> str:
        """The placeholder it fills in the step templates."""
        return _ROLE.get(self.kind, self.kind)


class _Plan:
    """A recipe being written for one request: what goes in, what was left out and why."""

    def __init__(self, request: RecipeRequest, rng: random.Random) -> None:
        self.request, self.rng = request, rng
        self.diet_terms = list(_DIET_EXCLUDES.get(request.diet, ()))
        self.items: list[_Item] = []
        self.dropped: dict[str, list[str]] = {}  # reason -> items
        self.gear = normalise(" ".join(request.equipment))
        self.cuisine = _cuisine_key(request.cuisine) if request.cuisine else None

    def blocked(self, item: str) -> str | None:
        """Why ``item`` may not be used (an allergy or the diet), or None when it may."""
        if hits := allergen_matches(item, self.request.allergies):
            plain = all(re.fullmatch(r"[\w ]+", h) and not re.search(r"allerg|intoler|free\b|^no\b", h, re.I) for h in hits)
            return f"your {_join(hits)} allergy" if plain else f"the allergies you listed ({_join(hits)})"
        keto_carb = self.request.diet == "keto" and _kind(item) in ("starch", "potato", "fruit")
        ruled_out = allergen_matches(item, self.diet_terms) or mentions(item, _DIET_WORDS.get(self.request.diet, ()))
        return f"the {self.request.diet} diet" if keto_carb or ruled_out else None

    def add(self, item: _Item) -> None:
        """Use an ingredient; for a kosher diet, meat then rules out dairy and the other way round."""
        self.items.append(item)
        if self.request.diet == "kosher":
            self.diet_terms += ["meat", "poultry"] if allergen_matches(item.item, ["milk"]) else []
            self.diet_terms += ["milk"] if allergen_matches(item.item, ["meat", "poultry"]) else []

    def take_cooks_items(self) -> None:
        """The cook's ingredients plus foods named in the dish idea, minus anything blocked."""
        candidates = list(self.request.ingredients)
        dish = normalise(self.request.dish)
        words = (w for k in ("meat", "fish", "shellfish", "plant", "egg", "veg", "potato") for w in _KIND_WORDS[k])
        for word in sorted(words, key=len, reverse=True):
            found = mentions(dish, [word]) and re.search(rf"\b{re.escape(word)}\w*", dish)
            if found and not any(_overlap(found.group(0), c) for c in candidates):
                candidates.append(found.group(0))
        for candidate in candidates:
            if reason := self.blocked(candidate):
                self.dropped.setdefault(reason, []).append(candidate)
            else:
                self.add(_Item(candidate, user=True))

    def choose_style(self) -> str:
        """The best-scoring dish style that fits the equipment, time and diet (salad always fits)."""
        request = self.request

        def uses_gear(style: str) -> bool:
            return any(g in self.gear for g in _STYLES[style].gear.split(",") if g)

        def fits(style: str) -> bool:
            st = _STYLES[style]
            required = [g.strip()[1:].split("|") for g in st.staples.split(";") if g.strip().startswith("!")]
            return ((not request.equipment or not st.gear or uses_gear(style))
                    and (not request.max_minutes or request.max_minutes >= st.min_total)
                    and all(any(self.blocked(a.split("*")[0]) is None for a in alts) for alts in required))

        def score(style: str) -> float:
            words = _STYLES[style].words.split(",")
            liked = self.cuisine is not None and style.replace(" ", "-") in _CUISINES[self.cuisine][1].split()
            hints = sum(mentions(i.item, words) for i in self.items)
            clash = style == "pasta" and any(i.kind == "starch" and not mentions(i.item, words) for i in self.items)
            gear = bool(request.equipment) and uses_gear(style)
            named = sum(mentions(request.dish, [w]) for w in words)
            return self.rng.random() + 10 * named + 3 * (liked + hints + gear) - 20 * clash

        return max([s for s in _STYLES if fits(s)] or ["salad"], key=score)

    def add_staples(self, groups: str) -> None:
        """Add staple groups (see :class:`_Style`) unless the cook or an earlier group covered them."""
        cooks = list(self.items)
        for group in (g.strip() for g in groups.split(";")):
            alts = group.lstrip("!+~")
            flags = group[: len(group) - len(alts)]
            names = [a.strip().split("*")[0] for a in alts.split("|")]
            kind = _kind(names[0])
            have = sum(i.kind == kind for i in self.items)
            if ("+" in flags and sum(i.role == "veg" for i in self.items) >= 2) or have >= _ENOUGH.get(kind, 99):
                continue
            protein = kind in _PROTEIN - {"egg"}
            family = _PROTEIN if protein else {"starch", "potato"} if kind in ("starch", "potato") else {kind}
            same = [i for i in cooks if i.kind in family]
            if same and (kind in _PROTEIN or kind in ("starch", "potato", "liquid")):
                if "*" in alts:  # the cook's own eggs or stock, in the style's amount
                    same[0].per = float(alts.split("*")[1].split("|")[0])
                continue
            if any(_overlap(name, i.item) for name in names for i in self.items):
                continue
            for alt in alts.split("|"):
                name, _, per = alt.strip().partition("*")
                if self.blocked(name) is None:
                    self.add(_Item(name, float(per) if per else None, taste="~" in flags))
                    break

    def times(self, prep: int, cook: int) -> tuple[int, int]:
        """Prep and cook minutes, squeezed to fit ``max_minutes``."""
        prep += self.rng.choice((0, 5)) + (5 if self.request.servings > 6 else 0)
        cook += self.rng.choice((0, 5))
        limit = self.request.max_minutes
        if limit and prep + cook > limit:
            prep = min(limit, max(5, limit * prep // (prep + cook) // 5 * 5))
            cook = limit - prep
        return prep, cook

    def ingredients(self) -> tuple[list[Ingredient], Nutrition]:
        """Scaled ingredient lines and the estimated nutrition per serving."""
        n = self.request.servings
        lines: list[Ingredient] = []
        totals = [0.0, 0.0, 0.0]
        for i in self.items:
            unit, per, grams, *per_100g, note, _ = _KINDS[i.kind]
            if i.taste:
                lines.append(Ingredient(quantity=None, unit="pinch", item=i.item, note="to taste"))
                continue
            qty = _amount(unit, i.per or per, n)
            note = next((v for k, v in _NOTES.items() if mentions(i.item, [k])), note)
            lines.append(Ingredient(quantity=qty, unit=unit, item=i.item, note=note))
            totals = [t + qty * grams * v / 100 for t, v in zip(totals, per_100g)]
        protein, fat, carbs = (round(t / n, 1) for t in totals)
        calories = round((4 * (protein + carbs) + 9 * fat) / 5) * 5
        return lines, Nutrition(calories=calories, proteinContent=protein, fatContent=fat, carbohydrateContent=carbs)

    def steps(self, templates: str, cook: int) -> tuple[list[str], int]:
        """Fill the style's step templates, dropping sentences about roles nothing fills; with the
        cook time they add up to (the simmer takes what the other timed sentences leave of ``cook``)."""
        roles: dict[str, list[str]] = {}
        for i in self.items:
            if not i.taste:
                roles.setdefault(i.role, []).append(i.shown)
        values = {role: _join(names) for role, names in roles.items()} | {"cook": str(cook), "simmer": _SIMMER}
        steps = []
        for template in templates.split("\n"):
            keep = [s for s in template.split(" | ") if all(values.get(k) for k in re.findall(r"{\??(\w+)}", s))]
            if keep:
                steps.append(re.sub(r"{\?\w+}", "", " ".join(keep)).format_map(values))
        if seasoning := [i.shown for i in self.items if i.taste]:
            steps[-1] = f"Taste and season with {_join(seasoning)}. {steps[-1]}"
        written = normalise(" ".join(steps))
        if missing := [i.shown for i in self.items if normalise(i.item) not in written]:
            steps[-2 if len(steps) > 1 else -1] += f" Add the {_join(missing)} and stir or toss to combine."
        for filler in _FILLERS[: max(0, 5 - len(steps))]:
            steps.insert(0 if filler == _FILLERS[0] else len(steps) - 1, filler)
        steps = steps[:9]
        timed = sum(timeline_minutes(s) for s in steps if _SIMMER not in s)
        # Work done alongside ("Meanwhile, boil the eggs for 8 minutes") still has to fit in the cook time.
        longest = max((t.upper_seconds // 60 for s in steps for t in detect_timers(s.replace(_SIMMER, "0"))), default=0)
        if not any(_SIMMER in s for s in steps):
            untimed = any(_UNTIMED.search(s) for s in steps)  # packet times vary: keep the style's own estimate
            return steps, max(cook, timed, longest) if untimed else -(-max(timed, longest) // 5) * 5
        simmer = max(3, cook - timed, longest - timed)
        return [s.replace(_SIMMER, str(simmer)) for s in steps], timed + simmer

    def mains(self, style: str) -> list[str]:
        """Up to three ingredients that characterise the dish: protein first, the cook's own next."""
        def rank(i: _Item) -> float:
            return 0 if i.role == "protein" else _NAME_RANK.get(i.role, 2) + (0 if i.user else 1.5)

        named = [i for i in self.items if not i.taste and not (style == "frittata" and i.kind == "egg")
                 and (i.role in _NAME_RANK or i.user and i.role == "aromatics")]
        return [i.shown for i in sorted(named, key=rank)][:3] or [self.items[0].shown]

    def dish_is_name(self, style: str, dish_words: list[str] | None = None) -> bool:
        """Whether the dish idea reads as a name for a recipe of this style ('chicken curry', not 'lasagne')."""
        words = [w for w in self.request.dish.split() if self.blocked(w) is None] if dish_words is None else dish_words
        return (0 < len(words) <= 4 and normalise(words[0]) not in _NOT_A_NAME
                and mentions(" ".join(words), _STYLES[style].words.split(",")))

    def name(self, style: str, mains: list[str]) -> str:
        """The dish idea (minus blocked words) or '<adjective> <main> & <main> <style>'."""
        noun = _STYLES[style].noun
        starch = [i.item for i in self.items if i.kind == "starch"]
        if style == "pasta" and starch:
            noun = _title(starch[0])
        dish_words = [w for w in self.request.dish.split() if self.blocked(w) is None]
        if self.dish_is_name(style, dish_words):
            name = _title(" ".join(dish_words))
            if len(name) <= 40 and not any(mentions(name, [m]) for m in mains[:2]):
                name += " with " + " & ".join(_title(m) for m in mains[:2])
            return name
        adjective = _title(self.request.cuisine) if self.request.cuisine else self.rng.choice(_ADJECTIVES[style].split(","))
        return f"{adjective} {' & '.join(_title(m) for m in mains[:2])} {noun}"

    def tips(self, style_tips: str) -> list[str]:
        """What was left out and why, label checks, diet advice, then the style's own tips (2 to 4)."""
        request, tips = self.request, []
        if self.dropped:
            left_out = _join([f"the {_join(items)} because of {why}" for why, items in self.dropped.items()])
            tips.append(f"Left out {left_out}; the dish works well without.")
        if request.allergies:
            tips.append(f"Check the labels on stock, sauces and spice mixes for hidden {_join(request.allergies)}.")
        if request.diet in _DIET_TIPS:
            tips.append(_DIET_TIPS[request.diet])
        return (tips + self.rng.sample(style_tips.split("|"), 2))[: max(2, min(4, len(tips) + 1))]


def build_demo_recipe(request: RecipeRequest, seed: int | None = None) -> Recipe:
    """A realistic recipe for ``request``, the same for the same request and seed.

    The cook's ingredients (and foods named in the dish idea) are used unless they conflict with
    an allergy or the diet, in which case they are left out and a tip says so. Staples are only
    added when neither the allergies nor the diet rule them out.
    """
    plan = _Plan(request, random.Random(_seed_for(request) if seed is None else seed))
    plan.take_cooks_items()
    style = plan.choose_style()
    st = _STYLES[style]
    plan.add_staples(f"{_CUISINES[plan.cuisine or st.cuisine][2]}; {st.staples}; ~salt; ~black pepper")
    plan.items.sort(key=lambda i: (i.taste, _ORDER.index(i.role)))
    prep, cook = plan.times(st.prep, st.cook)
    steps, cook = plan.steps(st.steps, cook)  # the steps' own times decide the cook time
    if request.max_minutes and prep + cook > request.max_minutes:
        quick = st.steps
        for slow, fast in _NO_COOK.items():
            quick = quick.replace(slow, fast)
        steps, cook = plan.steps(quick, max(0, request.max_minutes - prep))
    if request.max_minutes and prep + cook > request.max_minutes:
        prep = max(5, request.max_minutes - cook)
    ingredients, nutrition = plan.ingredients()
    mains = plan.mains(style)
    labels = ([{"keto": "keto-friendly"}.get(request.diet, request.diet)] if request.diet != "none" else [])
    labels += [f"free from {_join(request.allergies)}"] if request.allergies else []
    description = f"{st.blurb.format(main=_join(mains))}. Ready in {prep + cook} minutes; serves {request.servings}."
    if labels:
        description += f" {_join(labels)[:1].upper()}{_join(labels)[1:]}."
    if request.dish and not mentions(request.dish, st.words.split(",")):
        description += f" Inspired by your idea: {request.dish}."
    return Recipe(
        name=plan.name(style, mains),
        description=description,
        recipeYield=request.servings,
        prepTime=_iso(prep),
        cookTime=_iso(cook),
        totalTime=_iso(prep + cook),
        recipeCuisine=_title(request.cuisine) if request.cuisine else _CUISINES[st.cuisine][0],
        recipeIngredient=ingredients,
        recipeInstructions=[HowToStep(text=s) for s in steps],
        tips=plan.tips(st.tips),
        nutrition=nutrition,
    )


# ---------------------------------------------------------------------------------------------
# The wire: an httpx transport that speaks the OpenAI chat-completions API.

_TOKEN = re.compile(r" ?[^\W\d_]+| ?\d{1,3}|\s+|[^\w\s]{1,3}|.", re.S)
_BATCH_S = 0.025  # tokens due within this window go out in one write
_MODEL_CARD = {"id": DEMO_MODEL, "object": "model", "created": 1735689600, "owned_by": "recipe-studio"}


def tokenize(text: str) -> list[str]:
    """Split text into pieces of at most 4 characters, roughly where a BPE tokenizer would."""
    return [piece[i : i + 4] for piece in _TOKEN.findall(text) for i in range(0, len(piece), 4)]


def _error(status: int, message: str) -> httpx.Response:
    """An OpenAI-style error response."""
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    return httpx.Response(status, json={"error": error})


def _sse(payload: dict[str, Any]) -> bytes:
    """One server-sent event carrying compact JSON, as OpenAI sends it."""
    return b"data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


def _read_messages(messages: list[dict[str, Any]]) -> tuple[RecipeRequest, str]:
    """The cook's request, plus the answer so far when asked to continue one.

    A continuation is ``[..., user: request, assistant: partial answer, user: "continue"]``. The
    demo writes the same recipe again (same request, same seed) and sends what follows the part
    already written, so a truncated answer and its continuation join up into the full JSON.
    """
    answers = [k for k, m in enumerate(messages) if m.get("role") == "assistant"]
    if answers and answers[-1] < len(messages) - 1:
        return request_from_messages(messages[: answers[-1]]), str(messages[answers[-1]].get("content") or "")
    return request_from_messages(messages), ""


class _EventStream(httpx.AsyncByteStream):
    """Response body over an async generator; closing the body closes (stops) the generator."""

    def __init__(self, events: AsyncGenerator[bytes, None]) -> None:
        self._events = events

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._events

    async def aclose(self) -> None:
        await self._events.aclose()


class DemoTransport(httpx.AsyncBaseTransport):
    """Answers ``/v1/chat/completions`` and ``/v1/models`` like OpenAI would, using the demo model.

    ``ttft`` is the range of the time to first token and ``tokens_per_s`` the range of the
    streaming speed, in seconds and tokens per second; each response draws its own values.
    ``active_streams`` counts streams still generating and ``tokens_streamed`` every content token
    sent so far, so tests (and curious cooks) can see that closing a response stops generation.
    """

    def __init__(self, ttft: tuple[float, float] = (0.25, 0.5), tokens_per_s: tuple[float, float] = (50, 80),
                 *, seed: int | None = None) -> None:
        self.ttft = ttft
        self.tokens_per_s = tokens_per_s
        self.active_streams = 0
        self.tokens_streamed = 0
        self._rng = random.Random(seed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Route one request: chat completions (streamed or not), the model list, or a 404."""
        path = request.url.path.rstrip("/")
        if request.method == "GET" and path.endswith("/models"):
            return httpx.Response(200, json={"object": "list", "data": [_MODEL_CARD]})
        if request.method == "GET" and path.endswith(f"/models/{DEMO_MODEL}"):
            return httpx.Response(200, json=_MODEL_CARD)
        if request.method != "POST" or not path.endswith("/chat/completions"):
            return _error(404, f"Invalid URL ({request.method} {request.url.path})")
        try:
            body = json.loads(await request.aread())
            messages = body["messages"]
            answer = demo_answers.answer(messages)  # a question or a swap about a recipe, else None
            recipe_request, written = _read_messages(messages) if answer is None else (None, "")
            prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _error(400, f"Could not read a recipe request from 'messages': {exc}"[:500])

        seed = body.get("seed") if isinstance(body.get("seed"), int) else None
        text = answer if answer is not None else build_demo_recipe(recipe_request, seed).model_dump_json()[len(written) :]
        tokens = tokenize(text)
        finish = "stop"
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and 0 < limit < len(tokens):
            tokens, finish = tokens[:limit], "length"
        prompt_tokens = max(1, math.ceil(prompt_chars / 4))
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(tokens),
                 "total_tokens": prompt_tokens + len(tokens)}
        head = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()),
                "model": str(body.get("model") or DEMO_MODEL), "system_fingerprint": "fp_demo"}
        ttft, rate = self._rng.uniform(*self.ttft), self._rng.uniform(*self.tokens_per_s)
        headers = {"x-request-id": f"req_{uuid.uuid4().hex}"}
        if body.get("stream"):
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
            events = self._events(head, tokens, finish, usage if include_usage else None, ttft, rate)
            return httpx.Response(200, headers={**headers, "content-type": "text/event-stream"},
                                  stream=_EventStream(events))
        await asyncio.sleep(ttft + len(tokens) / rate)
        self.tokens_streamed += len(tokens)
        message = {"role": "assistant", "content": "".join(tokens), "refusal": None, "annotations": []}
        return httpx.Response(200, headers=headers, json={
            "id": head["id"], "object": "chat.completion", "created": head["created"], "model": head["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": usage, "system_fingerprint": head["system_fingerprint"]})

    async def _events(self, head: dict[str, Any], tokens: list[str], finish: str, usage: dict[str, int] | None,
                      ttft: float, rate: float) -> AsyncGenerator[bytes, None]:
        """The SSE body: role chunk after ``ttft``, one chunk per token at ``rate``, finish, usage, [DONE]."""
        base = {"id": head["id"], "object": "chat.completion.chunk", "created": head["created"], "model": head["model"],
                "system_fingerprint": head["system_fingerprint"]}
        tail = {"usage": None} if usage else {}  # with include_usage, OpenAI sends usage: null until the end

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return _sse({**base, "choices": [choice], **tail})

        self.active_streams += 1
        try:
            await asyncio.sleep(ttft)
            yield chunk({"role": "assistant", "content": "", "refusal": None})
            loop = asyncio.get_running_loop()
            start, due, pending = loop.time(), 0.0, []
            for token in tokens:
                due += self._rng.uniform(0.7, 1.3) / rate
                if start + due - loop.time() > _BATCH_S:  # send what is due, then sleep: few wake-ups per second
                    if pending:
                        self.tokens_streamed += len(pending)
                        yield b"".join(pending)
                        pending = []
                    await asyncio.sleep(max(0.0, start + due - loop.time()))
                pending.append(chunk({"content": token}))
            self.tokens_streamed += len(pending)
            yield b"".join(pending) + chunk({}, finish)
            if usage:
                yield _sse({**base, "choices": [], "usage": usage})
            yield b"data: [DONE]\n\n"
        finally:
            self.active_streams -= 1

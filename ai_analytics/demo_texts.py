"""Text pools for the demo-data generator.

Realistic prompt, answer and feedback text matters because the package's
classifier and redaction run on it: templates are written per intent, slot
fillers give variety, and a share of the texts carry personal data (emails,
phone numbers, payment cards) in the formats redaction must catch. Every
address, phone number and card number here is reserved for examples or
testing (example.com/org/net, 555-01xx, Ofcom drama numbers, issuers' test
cards), so no real person's data ships with the package.

Pools are built once per run (a few thousand strings); the generator picks
from them by index, which keeps generation vectorised.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from string import Formatter

import numpy as np

INTENTS: tuple[str, ...] = (
    "product_inquiry",
    "support_shipping",
    "support_returns",
    "technical_support",
    "account_management",
    "other",
)

# Labels a real classifier emits that are not in the taxonomy; the package must
# treat them as invalid and fall back to other intent sources.
OFF_TAXONOMY_LABELS: tuple[str, ...] = ("classification_error", "not_sampled", "billing_question")

PROMPT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "product_inquiry": (
        "Does the {product} come in {color}?",
        "What's the difference between the {product} and the {product2}?",
        "Is the {product} compatible with my {device}?",
        "How long does the battery on the {product} last?",
        "Do you have the {product} in size {size}?",
        "What materials is the {product} made of?",
        "Is the {product} back in stock yet?",
        "Can you recommend a {product} under {amount}?",
        "What's the warranty on the {product}?",
        "Which {product} would you suggest for a small apartment?",
        "Are there any discounts on the {product} right now?",
        "How much does the {product} weigh?",
        "Does the {product} work outside the US?",
        "What are the dimensions of the {product}?",
        "is the {product} waterproof",
        "Can I get the {product} engraved?",
        "Compare {product} vs {product2} for everyday use",
        "What colors does the {product} come in?",
        "Is there a newer model of the {product} coming out?",
        "Does the {product} include a charger in the box?",
        "What do other customers say about the {product}?",
        "Do you sell replacement parts for the {product}?",
        "Is the {product} suitable for kids?",
        "how loud is the {product}",
        "Can I see the full specs for the {product}?",
        "Do you price match on the {product}?",
        "Is the {product} available in stores in {city}?",
        "What's included with the {product} bundle?",
        "Is the {product} made from recycled materials?",
        "Will the {product} go on sale for Black Friday?",
    ),
    "support_shipping": (
        "Where is my order {order_id}?",
        "My package was supposed to arrive {weekday} but it's still not here",
        "How long does shipping to {city} take?",
        "Can I change the delivery address for order {order_id}?",
        "Tracking for {order_id} hasn't updated in {n} days",
        "Do you ship to {country}?",
        "How much is express shipping?",
        "The {carrier} tracking says delivered but I never got it",
        "Can I pick up my order in store instead?",
        "Is there free shipping over {amount}?",
        "my order {order_id} shows as shipped but there's no tracking number",
        "Can you split my order into two deliveries?",
        "When will order {order_id} ship?",
        "The box arrived damaged, what do I do?",
        "Can I schedule a delivery time?",
        "Why is shipping to {country} so expensive?",
        "Will my order arrive before {weekday}?",
        "Can I upgrade to overnight shipping for {order_id}?",
        "Which carrier do you use for deliveries to {city}?",
        "Part of my order is missing, only {n} of the items arrived",
        "Do you deliver on weekends?",
        "I need to reroute my package, I'm traveling",
        "Customs is holding my package, who pays the import fees?",
        "Can the driver leave it with a neighbor?",
        "the {carrier} driver couldn't find my address",
        "How do I track an order without an account?",
        "Is international shipping to {country} tracked?",
        "Why was my order {order_id} sent in separate boxes?",
        "Has order {order_id} left the warehouse yet?",
        "What happens if I'm not home for the delivery?",
    ),
    "support_returns": (
        "How do I return the {product}?",
        "What's your return policy?",
        "Can I exchange the {product} for a different size?",
        "I returned order {order_id} {n} days ago, where's my refund?",
        "Do I have to pay for return shipping?",
        "The {product} I received is defective, can I get a replacement?",
        "Can I return an item bought on sale?",
        "I lost the receipt, can I still return the {product}?",
        "How long do refunds take to show up on my card?",
        "Can I return the {product} to a store in {city}?",
        "I got the wrong item in order {order_id}",
        "Is there a restocking fee for the {product}?",
        "Can I return a gift without the giver knowing?",
        "My return label isn't working",
        "It's been {n} days, is it too late to return the {product}?",
        "I want a refund, not store credit",
        "how do i print a return label",
        "Can I exchange the {product} for the {product2}?",
        "The refund for {order_id} is less than what I paid",
        "Do you accept returns on opened items?",
        "Where do I drop off my return in {city}?",
        "Can you send a courier to pick up the return?",
        "I returned the wrong item by mistake",
        "My return for {order_id} says received but no refund yet",
        "What items can't be returned?",
        "Can I return part of a bundle?",
        "The {product} doesn't fit, what are my options?",
        "Is the return window longer during the holidays?",
        "Will I get my shipping costs back if I return the {product}?",
        "I want to cancel the return I started for {order_id}",
    ),
    "technical_support": (
        "The app keeps crashing when I open {feature}",
        "I can't log in, it says error {error_code}",
        "The {product} won't pair with my {device}",
        "How do I reset the {product} to factory settings?",
        "The checkout page is stuck loading on {browser}",
        "My {product} won't turn on after the update",
        "Why is {feature} not working on {browser}?",
        "I'm getting error {error_code} when I try to pay",
        "The {product} firmware update failed halfway",
        "Notifications stopped working on my {device}",
        "How do I connect the {product} to wifi?",
        "the page says something went wrong, error {error_code}",
        "The {product} battery drains really fast",
        "I can't upload a photo in {feature}",
        "The {product} keeps disconnecting from bluetooth",
        "Is there a known outage right now?",
        "Two-factor codes aren't arriving",
        "The app is very slow on my {device}",
        "How do I clear the cache in the app?",
        "{feature} shows a blank screen",
        "My {product} makes a clicking noise",
        "Search results don't load on {browser}",
        "How do I update the firmware on the {product}?",
        "The app says my {device} is unsupported",
        "I can't download my invoice, the button does nothing",
        "Voice input isn't recognizing what I say",
        "The screen on my {product} flickers",
        "Password reset link says it has expired",
        "Sync between the {product} and the app stopped",
        "Getting a 500 error when saving my settings",
    ),
    "account_management": (
        "How do I change my email address?",
        "I want to delete my account",
        "How do I update my payment method?",
        "Can I change my plan from {plan} to {plan2}?",
        "How do I cancel my {plan} subscription?",
        "I forgot my password",
        "How do I turn off marketing emails?",
        "Can I merge two accounts?",
        "Where can I see my order history?",
        "How do I add a second shipping address?",
        "Why was I charged {amount} this month?",
        "How do I download my data?",
        "Can I pause my subscription for {n} months?",
        "How do I enable two-factor authentication?",
        "I'm locked out of my account",
        "How do I change the name on my account?",
        "When does my {plan} plan renew?",
        "Can I get an invoice with my company name on it?",
        "How do I remove a saved card?",
        "how do i change my username",
        "Can I share my {plan} membership with family?",
        "How do I update my phone number?",
        "Someone else is using my account",
        "How do I redeem a gift card?",
        "Where do I find my loyalty points?",
        "Can I switch to annual billing?",
        "How do I change the language of my account to {language}?",
        "Why can't I change my country in settings?",
        "How do I unsubscribe from SMS notifications?",
        "Is my account data shared with third parties?",
    ),
    "other": (
        "hello",
        "hi there",
        "Are you a real person?",
        "Can I talk to a human?",
        "What are your opening hours in {city}?",
        "thanks!",
        "Do you have any job openings?",
        "What's the weather like in {city}?",
        "Tell me a joke",
        "Who owns this company?",
        "Do you have a store near {city}?",
        "What's your phone number?",
        "ok",
        "Write a poem about {topic}",
        "Are you open on public holidays?",
        "How do I leave a review?",
        "What's your sustainability policy?",
        "Can you help me with my homework?",
        "What do you think about {topic}?",
        "test",
        "Do you have a press contact?",
        "Can I become a reseller?",
        "Do you have an affiliate program?",
        "Can you translate this into {language}?",
        "How old are you?",
        "Never mind",
        "I have a complaint about a store employee in {city}",
        "What's the meaning of life?",
        "Do you offer gift wrapping?",
        "Good bot",
    ),
}

PII_PROMPT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "product_inquiry": (
        "Can you email the specs of the {product} to {email}?",
        "Text me at {phone} when the {product} is back in stock",
        "Please notify {email} when the {product} restocks",
        "I'd like a quote for 10 of the {product}, my number is {phone}",
        "Can I pay for the {product} with card {card}?",
    ),
    "support_shipping": (
        "My order {order_id} under {email} hasn't arrived",
        "The courier can reach me on {phone} about order {order_id}",
        "Please update the delivery contact for {order_id} to {phone}",
        "I ordered with {email}, where is my package?",
        "I was charged on card {card} but order {order_id} never shipped",
    ),
    "support_returns": (
        "Refund order {order_id} to my card {card} please",
        "I started a return under {email}, what's next?",
        "Please call me at {phone} about my return",
        "The refund for {order_id} should go to card {card}, not store credit",
        "Send the return label to {email}",
    ),
    "technical_support": (
        "I can't log in with {email}, it says error {error_code}",
        "The verification code never arrives at {phone}",
        "My card {card} is declined at checkout with error {error_code}",
        "The reset link isn't arriving at {email}",
        "Please have a technician call {phone}",
    ),
    "account_management": (
        "Change my email from {email} to {email2}",
        "Update my phone number to {phone}",
        "Remove the card {card} from my account",
        "My account is {email}, please delete it",
        "Replace my saved card with {card}",
        "Call me back at {phone} about a billing issue",
    ),
    "other": (
        "Can someone from sales call me at {phone}?",
        "My email is {email}, please send me the catalog",
        "Contact me at {email} about a partnership",
        "Please add {email} to the newsletter",
    ),
}

RESPONSE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "product_inquiry": (
        "Yes, the {product} is available in {color} and ships within {n} days.",
        "The {product} has a {n}-hour battery life and a two-year warranty.",
        (
            "The main difference is size: the {product2} is lighter, while the {product} has "
            "more features."
        ),
        "The {product} is compatible with most devices, including the {device}.",
        (
            "The {product} is currently out of stock. You can sign up for a restock alert on the "
            "product page."
        ),
        "Right now the {product} is {amount}, and members get free shipping.",
        "The full specifications for the {product} are on its product page under 'Details'.",
        "Based on what you described, I'd suggest the {product2}; it fits your budget of {amount}.",
    ),
    "support_shipping": (
        "Your order {order_id} is with {carrier} and should arrive within {n} business days.",
        "Standard shipping to {city} takes {n} to {n2} business days; express takes 1 to 2.",
        (
            "I've asked {carrier} to investigate. If the package isn't found within {n} days, "
            "we'll send a replacement."
        ),
        (
            "You can change the delivery address until the order ships. Order {order_id} hasn't "
            "shipped yet, so I've opened the form for you."
        ),
        "We ship to {country}. Import duties are shown at checkout and included in the price.",
        "Tracking can take up to 24 hours to update after the label is created.",
        "Orders over {amount} ship free. Express shipping is available at checkout.",
        "I'm sorry the box arrived damaged. Please upload a photo and we'll arrange a replacement.",
    ),
    "support_returns": (
        (
            "You can return the {product} within 30 days. Start the return from your order "
            "history to get a prepaid label."
        ),
        (
            "Refunds are issued within {n} business days after we receive the item, to the "
            "original payment method."
        ),
        (
            "Return shipping is free for defective items; otherwise a small fee is deducted from "
            "the refund."
        ),
        "You can exchange the {product} for another size at no cost from the Returns page.",
        (
            "Your return for {order_id} was received; the refund is being processed and should "
            "arrive in {n} days."
        ),
        "Items bought on sale can be returned for store credit within 14 days.",
        "You can drop off returns at any store in {city} or at a {carrier} location.",
        "I've generated a new return label for {order_id}; it's in your email.",
    ),
    "technical_support": (
        (
            "Please update the app to the latest version and restart your {device}; that fixes "
            "most crashes in {feature}."
        ),
        (
            "Error {error_code} usually means your session expired. Sign out, clear the cache "
            "and sign in again."
        ),
        (
            "To reset the {product}, hold the power button for 10 seconds until the light blinks "
            "twice."
        ),
        (
            "Make sure Bluetooth is on and the {product} is in pairing mode, then select it on "
            "your {device}."
        ),
        "There's no known outage right now. Could you try a different browser than {browser}?",
        (
            "Firmware updates can be retried from Settings > Device > Update. Keep the {product} "
            "charging during the update."
        ),
        "I've sent you a new verification code; it can take up to a minute to arrive.",
        (
            "This looks like a known issue with {feature} on {browser}; a fix is rolling out "
            "this week."
        ),
    ),
    "account_management": (
        (
            "You can change your email under Account > Profile. We'll send a confirmation link "
            "to the new address."
        ),
        "You can switch from {plan} to {plan2} at any time; the price difference is prorated.",
        "Your {plan} plan renews on the 1st of each month. You can cancel any time before that.",
        "To delete your account, go to Settings > Privacy > Delete account. This cannot be undone.",
        "You can update your payment method under Account > Billing.",
        (
            "Two-factor authentication can be enabled under Security. We support authenticator "
            "apps and SMS."
        ),
        "I've sent a password reset link to the email on your account.",
        "Your order history is under Account > Orders, including invoices you can download.",
    ),
    "other": (
        (
            "Hi! I'm the virtual assistant. I can help with orders, returns, products and your "
            "account."
        ),
        (
            "I'm an AI assistant. If you'd like to talk to a person, I can connect you with our "
            "support team."
        ),
        "Our stores in {city} are open 9am to 8pm, Monday to Saturday.",
        "You're welcome! Is there anything else I can help with?",
        "I can't help with that, but I'm happy to answer questions about our products and orders.",
        "You can find current job openings on our careers page.",
    ),
}

FALLBACK_RESPONSES: tuple[str, ...] = (
    "Sorry, something went wrong on our side. Please try again.",
    "I'm having trouble answering right now. Please try again in a moment.",
    "Sorry, that took too long. Please try again.",
)

ERROR_MESSAGES: dict[str, tuple[str, ...]] = {
    "RateLimitError": (
        "Rate limit reached for requests. Please try again in 20s.",
        "Rate limit exceeded: too many tokens per minute.",
    ),
    "APIError": (
        "The server had an error while processing your request.",
        "Upstream provider returned an invalid response.",
    ),
    "APIConnectionError": ("Connection error.", "Connection reset by peer."),
    "InternalServerError": ("Internal server error.", "Overloaded."),
    "BadRequestError": (
        "This model's maximum context length is 128000 tokens.",
        "Invalid request: messages must alternate between user and assistant.",
    ),
}

TIMEOUT_ERROR: tuple[str, str] = ("APITimeoutError", "Request timed out after 30000 ms.")

FEEDBACK_TEXTS: tuple[str, ...] = (
    "Helpful but could be more specific",
    "Exactly what I needed, thanks",
    "Didn't answer my question",
    "Too long, just give me the answer",
    "The link in the answer doesn't work",
    "Great, quick and clear",
    "Wrong information about the return window",
    "It keeps repeating itself",
    "Solved my problem",
    "Not helpful at all",
    "I wanted to talk to a human",
    "The tracking info was out of date",
    "Good answer but slow",
    "Answer was about a different product",
    "Clear steps, worked first time",
    "Too generic",
    "perfect",
    "meh",
    "It made up a feature that doesn't exist",
    "Would be nice to get the order status directly",
    "Very polite and helpful",
    "Confusing instructions",
    "The price it quoted was wrong",
    "Fast and accurate",
    "Please add more detail about shipping costs",
)

PII_FEEDBACK_TEMPLATES: tuple[str, ...] = (
    "Still not solved, please email me at {email}",
    "Call me on {phone}, the bot couldn't help",
    "Useless. My account is {email}",
    "Have someone contact me at {phone} or {email}",
    "Wrong answer, reach me at {email}",
)

SLOT_VALUES: dict[str, tuple[str, ...]] = {
    "product": (
        "wireless earbuds",
        "noise-cancelling headphones",
        "standing desk",
        "espresso machine",
        "robot vacuum",
        "smart watch",
        "running shoes",
        "rain jacket",
        "air purifier",
        "office chair",
        "4K monitor",
        "mechanical keyboard",
        "blender",
        "yoga mat",
        "backpack",
        "smart thermostat",
        "electric toothbrush",
        "camping tent",
        "portable speaker",
        "air fryer",
        "e-reader",
        "fitness tracker",
        "baby stroller",
        "gaming mouse",
    ),
    "color": ("black", "white", "navy", "sage green", "red", "silver", "rose gold", "charcoal"),
    "size": ("XS", "S", "M", "L", "XL", "8", "9.5", "10", "42", "44"),
    "device": (
        "iPhone 15",
        "Pixel 8",
        "Galaxy S24",
        "iPad",
        "MacBook",
        "Windows laptop",
        "Android tablet",
        "Chromebook",
    ),
    "browser": ("Chrome", "Safari", "Firefox", "Edge", "the mobile app"),
    "feature": (
        "the cart",
        "order tracking",
        "my wishlist",
        "the chat",
        "checkout",
        "my profile",
        "the search page",
        "saved addresses",
    ),
    "city": (
        "Chicago",
        "London",
        "Austin",
        "Berlin",
        "Toronto",
        "Seattle",
        "Manchester",
        "Denver",
        "Dublin",
        "Sydney",
        "Boston",
        "Amsterdam",
    ),
    "country": ("Canada", "Germany", "Australia", "Mexico", "Japan", "Ireland", "France", "Brazil"),
    "carrier": ("UPS", "FedEx", "DHL", "USPS", "Royal Mail", "DPD"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "yesterday", "last week"),
    "plan": ("Basic", "Plus", "Pro", "Family", "Business"),
    "language": ("Spanish", "German", "French", "Italian", "Portuguese", "Japanese"),
    "topic": ("the ocean", "coffee", "autumn", "my cat", "Mondays", "space travel"),
    "error_code": ("E-1042", "E-2001", "403", "ERR_TIMEOUT", "AUTH-17", "PAY-402", "E-5003"),
}

FIRST_NAMES: tuple[str, ...] = (
    "jane",
    "john",
    "maria",
    "li",
    "ahmed",
    "olivia",
    "noah",
    "emma",
    "lucas",
    "sofia",
    "mateo",
    "aisha",
    "chen",
    "priya",
    "james",
    "fatima",
    "oliver",
    "mia",
)
LAST_NAMES: tuple[str, ...] = (
    "doe",
    "smith",
    "garcia",
    "wang",
    "khan",
    "brown",
    "mueller",
    "rossi",
    "kim",
    "patel",
    "nguyen",
    "silva",
    "johnson",
    "martin",
)
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "mail.example.com")

# Issuers' published test numbers: Luhn-valid, never chargeable.
TEST_CARD_NUMBERS: tuple[str, ...] = (
    "4111111111111111",
    "4242424242424242",
    "4012888888881881",
    "5555555555554444",
    "5105105105105100",
    "378282246310005",
    "6011111111111117",
)


def _pick(rng: np.random.Generator, values: tuple[str, ...]) -> str:
    """One value of a tuple; a helper so slot filling reads as one line each."""
    return values[int(rng.integers(len(values)))]


def fake_email(rng: np.random.Generator) -> str:
    """An address on a reserved example domain, in the shapes people type."""
    first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
    shape = int(rng.integers(4))
    local = (
        f"{first}.{last}",
        f"{first[0]}{last}{int(rng.integers(1, 99))}",
        f"{first}_{last}",
        f"{first}.{last}+shop",
    )[shape]
    return f"{local}@{_pick(rng, EMAIL_DOMAINS)}"


def fake_phone(rng: np.random.Generator) -> str:
    """A phone number from ranges reserved for fiction, in US and UK formats."""
    line = int(rng.integers(100, 200))
    area = _pick(rng, ("415", "212", "646", "312", "617"))
    shape = int(rng.integers(5))
    return (
        f"+1 {area} 555 0{line - 100:03d}",
        f"({area}) 555-0{line - 100:03d}",
        f"+44 20 7946 0{int(rng.integers(0, 1000)):03d}",
        f"{area}-555-0{line - 100:03d}",
        f"+1-{area}-555-0{line - 100:03d}",
    )[shape]


def fake_card(rng: np.random.Generator) -> str:
    """A test card number, written contiguous, spaced or dashed."""
    digits = _pick(rng, TEST_CARD_NUMBERS)
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    shape = int(rng.integers(3))
    return (digits, " ".join(groups), "-".join(groups))[shape]


def _order_id(rng: np.random.Generator) -> str:
    """An order number in one of the shapes shops use."""
    n = int(rng.integers(100_000, 1_000_000))
    return ("#{}", "A{}", "ORD-{}")[int(rng.integers(3))].format(n)


def _slot_makers() -> dict[str, Callable[[np.random.Generator], str]]:
    """One function per template slot, each drawing a fresh value."""
    makers: dict[str, Callable[[np.random.Generator], str]] = {
        name: partial(_pick, values=options) for name, options in SLOT_VALUES.items()
    }
    makers.update(
        product2=partial(_pick, values=SLOT_VALUES["product"]),
        plan2=partial(_pick, values=SLOT_VALUES["plan"]),
        n=lambda rng: str(int(rng.integers(2, 15))),
        n2=lambda rng: str(int(rng.integers(5, 21))),
        amount=lambda rng: f"${int(rng.integers(10, 400))}.{_pick(rng, ('00', '99', '49', '95'))}",
        order_id=_order_id,
        email=fake_email,
        email2=fake_email,
        phone=fake_phone,
        card=fake_card,
    )
    return makers


def fill_templates(
    rng: np.random.Generator, templates: tuple[str, ...], per_template: int
) -> list[str]:
    """Expand each template `per_template` times with fresh slot values.

    Only the slots a template names are drawn, which keeps pool building cheap
    next to small runs. Templates without slots are kept once: repeating them
    would only skew the pool towards short greetings.
    """
    makers = _slot_makers()
    filled: list[str] = []
    for template in templates:
        # In order of appearance (a set's order changes with PYTHONHASHSEED).
        slots = list(dict.fromkeys(name for _, name, _, _ in Formatter().parse(template) if name))
        copies = per_template if slots else 1
        for _ in range(copies):
            filled.append(template.format_map({name: makers[name](rng) for name in slots}))
    return filled


def luhn_valid(number: str) -> bool:
    """Luhn checksum of a card number written with or without separators."""
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return bool(digits) and total % 10 == 0

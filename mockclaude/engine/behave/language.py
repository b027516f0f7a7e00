"""The language of the user's words, and the few fixed phrases of an answer in each language the vocabulary has.

Detection is deliberately simple: the script first (Cyrillic, kana, Han), then, for Latin script, common short
words of each language (a question needs two of them, and more than it has English ones). The sentences between
the phrases come from faker's lorem vocabulary of that locale (engine/prose.py).
"""

from __future__ import annotations

import re

ENGLISH = "en_US"


def words_of(text: str) -> frozenset[str]:
    """The words of ``text`` (word lists read better as text than as a column of strings)."""
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en_US": words_of("the a an and is are what how why of to in for with please can you me my it this that"),
    "de_DE": words_of(
        "der die das und ist nicht ich du ein eine wie was warum mit für bitte kannst mir mich zu den dem"
    ),
    "fr_FR": words_of(
        "le la les et est je tu un une des du comment pourquoi quoi avec pour vous plaît me moi ce cette qui que"
    ),
    "es_ES": words_of("el la los las y es yo tú un una cómo qué por con para favor me mi este esta que del"),
    "it_IT": words_of(
        "il lo gli la le e è io tu un una come cosa perché con per favore mi questo questa che del della"
    ),
    "nl_NL": words_of(
        "de het een en is ik jij hoe wat waarom met voor alsjeblieft mij mijn dit dat niet van"
    ),
    "pl_PL": words_of("i w nie jest się że na jak co dlaczego z dla proszę mi mnie to ten ta czy"),
    "ru_RU": words_of("и в на не это я ты вы мне что как где когда кто почему зачем пожалуйста ли"),
}
# Greetings by language: a one-word "hola" is Spanish, and a greeting is no key word of a question.
GREETINGS: dict[str, frozenset[str]] = {
    "en_US": words_of("hi hello hey howdy hiya"),
    "de_DE": words_of("hallo servus moin"),
    "fr_FR": words_of("bonjour salut coucou bonsoir"),
    "es_ES": words_of("hola buenas"),
    "it_IT": words_of("ciao salve buongiorno"),
    "nl_NL": words_of("hoi hallo dag"),
    "pl_PL": words_of("cześć witaj"),
    "ru_RU": words_of("привет здравствуйте"),
    "ja_JP": words_of("こんにちは こんばんは おはよう"),
    "zh_CN": words_of("你好 您好"),
}
UNSPACED = frozenset({"ja_JP", "zh_CN"})

# Fixed phrases of an answer: {0} stands for the subject, a path or a command.
PHRASES: dict[str, dict[str, str]] = {
    "en_US": {
        "greeting": "Hi! How can I help you today?|Hello! What can I do for you?|Hi there! How can I help?",
        "about": "About {0}:",
        "points": "Here are a few points about {0}:",
        "points_plain": "Here are a few points:",
        "example": "Here is a {1} example for {0}:",
        "and": " and ",
        "printed": "`{0}` printed:",
        "silent": "`{0}` ran and printed nothing.",
        "says": "`{0}` says:",
        "empty": "`{0}` is empty.",
        "wrote": "Done: I wrote `{0}`.",
        "updated": "Done: I updated `{0}`.",
        "failed": "{0} failed: {1}",
        "failed_silent": "{0} failed without saying why.",
        "the_call": "The {0} call",
        "returned": "The {0} tool returned:",
        "returned_one": "The {0} tool returned: {1}",
        "nothing": "The {0} tool returned nothing.",
    },
    "de_DE": {
        "greeting": "Hallo! Wie kann ich helfen?|Hallo! Was kann ich für dich tun?",
        "about": "Zu {0}:",
        "points": "Hier ein paar Punkte zu {0}:",
        "points_plain": "Hier ein paar Punkte:",
        "example": "Hier ein Beispiel in {1} für {0}:",
        "and": " und ",
        "printed": "`{0}` hat ausgegeben:",
        "silent": "`{0}` lief und hat nichts ausgegeben.",
        "says": "In `{0}` steht:",
        "empty": "`{0}` ist leer.",
        "wrote": "Erledigt: `{0}` ist geschrieben.",
        "updated": "Erledigt: `{0}` ist geändert.",
        "failed": "{0} ist fehlgeschlagen: {1}",
        "failed_silent": "{0} ist ohne Begründung fehlgeschlagen.",
        "the_call": "Der Aufruf von {0}",
        "returned": "{0} hat geliefert:",
        "returned_one": "{0} hat geliefert: {1}",
        "nothing": "{0} hat nichts geliefert.",
    },
    "fr_FR": {
        "greeting": "Bonjour ! Comment puis-je vous aider ?|Salut ! Que puis-je faire pour vous ?",
        "about": "À propos de {0} :",
        "points": "Voici quelques points sur {0} :",
        "points_plain": "Voici quelques points :",
        "example": "Voici un exemple en {1} pour {0} :",
        "and": " et ",
        "printed": "`{0}` a affiché :",
        "silent": "`{0}` s'est exécuté sans rien afficher.",
        "says": "`{0}` contient :",
        "empty": "`{0}` est vide.",
        "wrote": "C'est fait : j'ai écrit `{0}`.",
        "updated": "C'est fait : j'ai modifié `{0}`.",
        "failed": "{0} a échoué : {1}",
        "failed_silent": "{0} a échoué sans explication.",
        "the_call": "L'appel à {0}",
        "returned": "{0} a renvoyé :",
        "returned_one": "{0} a renvoyé : {1}",
        "nothing": "{0} n'a rien renvoyé.",
    },
    "es_ES": {
        "greeting": "¡Hola! ¿En qué puedo ayudarte?|¡Hola! ¿Qué puedo hacer por ti?",
        "about": "Sobre {0}:",
        "points": "Aquí tienes algunos puntos sobre {0}:",
        "points_plain": "Aquí tienes algunos puntos:",
        "example": "Aquí tienes un ejemplo en {1} para {0}:",
        "and": " y ",
        "printed": "`{0}` mostró:",
        "silent": "`{0}` se ejecutó sin mostrar nada.",
        "says": "`{0}` dice:",
        "empty": "`{0}` está vacío.",
        "wrote": "Hecho: escribí `{0}`.",
        "updated": "Hecho: actualicé `{0}`.",
        "failed": "{0} falló: {1}",
        "failed_silent": "{0} falló sin dar motivo.",
        "the_call": "La llamada a {0}",
        "returned": "{0} devolvió:",
        "returned_one": "{0} devolvió: {1}",
        "nothing": "{0} no devolvió nada.",
    },
    "it_IT": {
        "greeting": "Ciao! Come posso aiutarti?|Ciao! Cosa posso fare per te?",
        "about": "Su {0}:",
        "points": "Ecco alcuni punti su {0}:",
        "points_plain": "Ecco alcuni punti:",
        "example": "Ecco un esempio in {1} per {0}:",
        "and": " e ",
        "printed": "`{0}` ha stampato:",
        "silent": "`{0}` è stato eseguito senza stampare nulla.",
        "says": "`{0}` dice:",
        "empty": "`{0}` è vuoto.",
        "wrote": "Fatto: ho scritto `{0}`.",
        "updated": "Fatto: ho aggiornato `{0}`.",
        "failed": "{0} non è riuscito: {1}",
        "failed_silent": "{0} non è riuscito senza spiegare perché.",
        "the_call": "La chiamata a {0}",
        "returned": "{0} ha restituito:",
        "returned_one": "{0} ha restituito: {1}",
        "nothing": "{0} non ha restituito nulla.",
    },
    "nl_NL": {
        "greeting": "Hallo! Hoe kan ik helpen?|Hoi! Wat kan ik voor je doen?",
        "about": "Over {0}:",
        "points": "Een paar punten over {0}:",
        "points_plain": "Een paar punten:",
        "example": "Een voorbeeld in {1} voor {0}:",
        "and": " en ",
        "printed": "`{0}` gaf als uitvoer:",
        "silent": "`{0}` liep zonder uitvoer.",
        "says": "In `{0}` staat:",
        "empty": "`{0}` is leeg.",
        "wrote": "Klaar: ik heb `{0}` geschreven.",
        "updated": "Klaar: ik heb `{0}` bijgewerkt.",
        "failed": "{0} is mislukt: {1}",
        "failed_silent": "{0} is zonder reden mislukt.",
        "the_call": "De aanroep van {0}",
        "returned": "{0} gaf terug:",
        "returned_one": "{0} gaf terug: {1}",
        "nothing": "{0} gaf niets terug.",
    },
    "pl_PL": {
        "greeting": "Cześć! W czym mogę pomóc?|Dzień dobry! Co mogę dla Ciebie zrobić?",
        "about": "O {0}:",
        "points": "Kilka punktów o {0}:",
        "points_plain": "Kilka punktów:",
        "example": "Przykład w {1} dla {0}:",
        "and": " i ",
        "printed": "`{0}` wypisało:",
        "silent": "`{0}` zadziałało i nic nie wypisało.",
        "says": "W `{0}` jest:",
        "empty": "`{0}` jest pusty.",
        "wrote": "Gotowe: zapisałem `{0}`.",
        "updated": "Gotowe: zaktualizowałem `{0}`.",
        "failed": "{0} nie powiodło się: {1}",
        "failed_silent": "{0} nie powiodło się bez podania powodu.",
        "the_call": "Wywołanie {0}",
        "returned": "{0} zwróciło:",
        "returned_one": "{0} zwróciło: {1}",
        "nothing": "{0} nic nie zwróciło.",
    },
    "ru_RU": {
        "greeting": "Привет! Чем могу помочь?|Здравствуйте! Что я могу для вас сделать?",
        "about": "О теме {0}:",
        "points": "Несколько пунктов о {0}:",
        "points_plain": "Несколько пунктов:",
        "example": "Пример на {1} для {0}:",
        "and": " и ",
        "printed": "`{0}` вывела:",
        "silent": "`{0}` выполнилась и ничего не вывела.",
        "says": "В `{0}` написано:",
        "empty": "`{0}` пуст.",
        "wrote": "Готово: я записал `{0}`.",
        "updated": "Готово: я обновил `{0}`.",
        "failed": "{0}: ошибка: {1}",
        "failed_silent": "{0}: ошибка без объяснения.",
        "the_call": "Вызов {0}",
        "returned": "{0} вернул:",
        "returned_one": "{0} вернул: {1}",
        "nothing": "{0} ничего не вернул.",
    },
    "ja_JP": {
        "greeting": "こんにちは!何かお手伝いできることはありますか?",
        "about": "{0}について:",
        "points": "{0}についてのポイント:",
        "points_plain": "いくつかのポイント:",
        "example": "{0}のための{1}の例:",
        "and": "と",
        "printed": "`{0}` の出力:",
        "silent": "`{0}` は何も出力しませんでした。",
        "says": "`{0}` の内容:",
        "empty": "`{0}` は空です。",
        "wrote": "完了: `{0}` を書き込みました。",
        "updated": "完了: `{0}` を更新しました。",
        "failed": "{0}は失敗しました: {1}",
        "failed_silent": "{0}は理由なく失敗しました。",
        "the_call": "{0} の呼び出し",
        "returned": "{0} の結果:",
        "returned_one": "{0} の結果: {1}",
        "nothing": "{0} は何も返しませんでした。",
    },
    "zh_CN": {
        "greeting": "你好!有什么可以帮你的吗?",
        "about": "关于{0}:",
        "points": "关于{0}的几点:",
        "points_plain": "几点说明:",
        "example": "这是{0}的{1}示例:",
        "and": "和",
        "printed": "`{0}` 的输出:",
        "silent": "`{0}` 运行了,没有输出。",
        "says": "`{0}` 的内容:",
        "empty": "`{0}` 是空的。",
        "wrote": "完成:已写入 `{0}`。",
        "updated": "完成:已更新 `{0}`。",
        "failed": "{0}失败了:{1}",
        "failed_silent": "{0}失败了,没有说明原因。",
        "the_call": "{0} 调用",
        "returned": "{0} 返回:",
        "returned_one": "{0} 返回:{1}",
        "nothing": "{0} 没有返回任何内容。",
    },
}
LANGUAGES = tuple(PHRASES)

_SCRIPTS = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def detect(text: str) -> str:
    """The locale of ``text``: by script, then by its common words; English when unsure."""
    if _SCRIPTS.search(text) is not None:  # one scan for the common case: no such script at all
        if _KANA.search(text):
            return "ja_JP"
        if re.search(r"[\u4e00-\u9fff]", text):
            return "zh_CN"
        if len(_CYRILLIC.findall(text)) >= 3:
            return "ru_RU"
    words = _WORD.findall(text.lower())
    counts: dict[str, int] = {}
    for word in words:
        for locale in _LOCALES_OF.get(word, ()):
            counts[locale] = counts.get(locale, 0) + 1
    if not counts or counts.keys() == {ENGLISH}:
        return ENGLISH
    best = max(_STOPWORDS, key=lambda locale: counts.get(locale, 0))  # ties: the table's order
    enough = 2 if len(words) > 3 else 1  # "hola", "bonjour Claude" are enough
    if best != ENGLISH and counts.get(best, 0) >= enough and counts[best] > counts.get(ENGLISH, 0):
        return best
    return ENGLISH


def phrase(locale: str, key: str, *args: str) -> str:
    """A fixed phrase in ``locale`` (English when the locale has none), filled with ``args``."""
    table = PHRASES.get(locale, PHRASES[ENGLISH])
    return table.get(key, PHRASES[ENGLISH][key]).format(*args)


def stopwords() -> frozenset[str]:
    """The common words of every language detected by words (none of them is a key word of a question)."""
    return _ALL_STOPWORDS


_ALL_STOPWORDS = frozenset().union(*_STOPWORDS.values(), *GREETINGS.values())

# word -> the locales it is a common word (or a greeting) of, in the order of _STOPWORDS: one lookup per word.
_LOCALES_OF: dict[str, tuple[str, ...]] = {}
for _locale, _stop in _STOPWORDS.items():
    for _word in _stop | GREETINGS[_locale]:
        _LOCALES_OF[_word] = (*_LOCALES_OF.get(_word, ()), _locale)

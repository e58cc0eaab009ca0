"""Shared text cleaning: what is saved as a name or a title is shown as it reads."""

# Bidirectional controls (embeddings, overrides, isolates, marks) turn "gpj.exe" into
# "exe.jpg" on screen; zero-width characters make two equal-looking titles differ.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u180e\u200b\u200c\u200d\u2060\ufeff"
_REMOVE = str.maketrans("", "", BIDI_CONTROLS + ZERO_WIDTH)


def clean_text(value: str) -> str:
    """The value without bidirectional-control and zero-width characters, trimmed."""
    return value.translate(_REMOVE).strip()


class CleanTextFieldsMixin:
    """A form whose listed text fields (names, titles) are cleaned with clean_text on save."""

    clean_text_fields: tuple[str, ...] = ("title", "name")

    def clean(self):
        data = super().clean()
        for name in self.clean_text_fields:
            if isinstance(data.get(name), str):
                data[name] = clean_text(data[name])
        return data

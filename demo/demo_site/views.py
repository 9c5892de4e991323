from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .seed import ensure_media

AVATAR = "avatar.png"
MAX_AVATAR_BYTES = 5 * 1024 * 1024


# Image signatures: the demo needs no imaging library to refuse other files.
SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")


class AvatarForm(forms.Form):
    image = forms.FileField(label="New avatar (PNG, JPEG, GIF or WebP)")

    def clean_image(self) -> object:
        image = self.cleaned_data["image"]
        if image.size > MAX_AVATAR_BYTES:
            raise forms.ValidationError("Keep it under 5 MB.")
        head = image.read(12)
        image.seek(0)
        if not head.startswith(SIGNATURES) or (head.startswith(b"RIFF") and head[8:] != b"WEBP"):
            raise forms.ValidationError("That is not a PNG, JPEG, GIF or WebP image.")
        return image


def home(request: HttpRequest) -> HttpResponse:
    ensure_media(settings.MEDIA_ROOT)
    return render(request, "demo/home.html", {"form": AvatarForm()})


@require_POST
def upload_avatar(request: HttpRequest) -> HttpResponse:
    form = AvatarForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "demo/home.html", {"form": form}, status=400)
    # Same name on purpose: the classic "new avatar, old picture" case.
    target = Path(settings.MEDIA_ROOT) / AVATAR
    with target.open("wb") as out:
        for chunk in form.cleaned_data["image"].chunks():
            out.write(chunk)
    return redirect("home")

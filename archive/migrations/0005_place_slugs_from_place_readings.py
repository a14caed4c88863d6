"""Place slugs read as the places are called (朝阳区 chaoyang-qu, not zhaoyang-qu; 长治市
changzhi-shi; 单县 shan-xian; 陕西省 shaanxi-sheng): every place whose slug the old plain-pinyin
rule made is given the corrected one. Each path that changes stays answering: the place's old
path becomes a PlaceAlias and each report's old readable path a ReportAlias (both 301)."""

from django.db import migrations


def _chain(place, places):
    chain = [place]
    while chain[-1].parent_id is not None:
        chain.append(places[chain[-1].parent_id])
    return chain[::-1]


def _path(place, places, slugs):
    # As Place.slug_path: the nation says nothing in a place's URL.
    parts = [slugs[p.pk] for p in _chain(place, places) if p.level != "national"]
    return "/".join(parts) or slugs[place.pk]


def correct_place_slugs(apps, schema_editor):
    from archive.place_names import pinyin_slug, place_slug

    Place = apps.get_model("archive", "Place")
    PlaceAlias = apps.get_model("archive", "PlaceAlias")
    Report = apps.get_model("archive", "Report")
    ReportAlias = apps.get_model("archive", "ReportAlias")

    places = {p.pk: p for p in Place.objects.all()}
    old = {pk: p.slug for pk, p in places.items()}
    new = dict(old)
    for pk, p in places.items():
        made_by_old_rule = {pinyin_slug(p.name), f"{pinyin_slug(p.name)}-{p.code}"}
        if p.slug not in made_by_old_rule:
            continue  # an editor chose this slug: leave it
        corrected = place_slug(p.name)
        siblings = {new[q.pk] for q in places.values() if q.parent_id == p.parent_id and q.pk != pk}
        if corrected in siblings:
            corrected = f"{corrected}-{p.code or pk}"
        if corrected not in siblings:
            new[pk] = corrected
    old_paths = {pk: _path(p, places, old) for pk, p in places.items()}
    new_paths = {pk: _path(p, places, new) for pk, p in places.items()}
    moved = [pk for pk in places if old_paths[pk] != new_paths[pk]]
    for pk in moved:
        if new[pk] != old[pk]:
            Place.objects.filter(pk=pk).update(slug=new[pk])
        PlaceAlias.objects.get_or_create(path=old_paths[pk], defaults={"place_id": pk})
    for report in Report.objects.filter(place_id__in=moved).exclude(readable_path=None):
        before = report.readable_path
        prefix = old_paths[report.place_id] + "/"
        if not before.startswith(prefix):
            continue
        after = new_paths[report.place_id] + "/" + before[len(prefix):]
        taken = (Report.objects.filter(readable_path=after).exclude(pk=report.pk).exists()
                 or ReportAlias.objects.filter(path=after).exclude(report=report).exists())
        if taken:
            continue
        ReportAlias.objects.get_or_create(path=before, defaults={"report": report})
        ReportAlias.objects.filter(path=after, report=report).delete()
        Report.objects.filter(pk=report.pk).update(readable_path=after)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_place_alias")]

    # Backwards leaves the corrected slugs and the aliases: both keep every link answering.
    operations = [migrations.RunPython(correct_place_slugs, migrations.RunPython.noop)]

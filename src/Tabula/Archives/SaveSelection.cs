using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// Turns the arguments of <c>tabula save</c> into images with the names to write, as <c>docker save</c> does: a name
/// with a tag saves that tag; a bare repository name saves every tag of that repository; an image ID or a name by
/// digest saves the image without names. An image named twice is saved once with all the names asked for.
/// </summary>
internal static class SaveSelection
{
    public static async Task<IReadOnlyList<StoredImage>> SelectAsync(ImageResolver resolver, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var all = await resolver.ListAsync(cancellationToken).ConfigureAwait(false);
        var chosen = new List<StoredImage>();
        void Add(StoredImage image, IEnumerable<ImageReference> names)
        {
            int at = chosen.FindIndex(c => c.Manifest.Digest == image.Manifest.Digest);
            if (at < 0) chosen.Add(image with { Names = names.ToList() });
            else chosen[at] = chosen[at] with { Names = chosen[at].Names.Concat(names).DistinctBy(n => n.ToString()).ToList() };
        }

        foreach (var argument in arguments)
        {
            // Not every argument is a name (an image ID is not); those are left to the resolver below.
            var named = ImageReference.TryParseNamed(argument, out var parsed) ? parsed : null;
            if (named is { Tag: null, Digest: null })
            {
                var sameRepository = all.Where(i => i.Names.Any(n => n.Name == named.Name)).ToList();
                foreach (var image in sameRepository) Add(image, image.Names.Where(n => n.Name == named.Name));
                if (sameRepository.Count > 0) continue;
            }
            var resolved = await resolver.ResolveAsync(argument, cancellationToken).ConfigureAwait(false);
            Add(resolved, named is { Tag: not null, Digest: null } ? [named] : []);
        }
        return chosen;
    }
}

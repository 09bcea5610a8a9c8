/* SPDX-License-Identifier: MIT */
/* Two screenshots compared with a tolerance, for the dashboard's browser test:
 *
 *   png-diff A.png B.png MAX_SHARE
 *
 * prints the share of pixels whose colour differs by more than 48 in a channel (0..255), and
 * exits 0 when that share is at most MAX_SHARE (0.02: 2 %), 1 when more or the sizes differ, 2 when
 * a file is not a PNG. Text that moves by a pixel (fonts, the page's "as of" time) stays well under
 * a few per cent; a lost panel, a theme not applied or a blank page does not. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load(const char *path, png_image *img, png_bytep *ret) {
        memset(img, 0, sizeof(*img));
        img->version = PNG_IMAGE_VERSION;
        if (!png_image_begin_read_from_file(img, path))
                return -1;
        img->format = PNG_FORMAT_RGB;
        *ret = malloc(PNG_IMAGE_SIZE(*img));
        if (!*ret || !png_image_finish_read(img, NULL, *ret, 0, NULL)) {
                png_image_free(img);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: png-diff A.png B.png MAX_SHARE\n");
                return 2;
        }
        png_image a, b;
        png_bytep pa = NULL, pb = NULL;
        if (load(argv[1], &a, &pa) < 0 || load(argv[2], &b, &pb) < 0) {
                fprintf(stderr, "png-diff: %s: not a readable PNG\n", pa ? argv[2] : argv[1]);
                return 2;
        }
        if (a.width != b.width || a.height != b.height) {
                printf("sizes differ: %ux%u against %ux%u\n", a.width, a.height, b.width, b.height);
                return 1;
        }
        size_t n = (size_t) a.width * a.height, differ = 0;
        for (size_t i = 0; i < n; i++)
                for (int c = 0; c < 3; c++)
                        if (abs((int) pa[3 * i + c] - (int) pb[3 * i + c]) > 48) {
                                differ++;
                                break;
                        }
        double share = (double) differ / (double) n, max = atof(argv[3]);
        printf("%zu of %zu pixels differ (%.3f %%, at most %.3f %% allowed)\n", differ, n, 100 * share, 100 * max);
        free(pa);
        free(pb);
        return share <= max ? 0 : 1;
}

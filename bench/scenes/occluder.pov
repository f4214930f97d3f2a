// Fixed camera close to the brick pillar; a checkered ball rolls fast from left to right behind it (about 200 px
// per half second at 1280x720) while the world's own sphere and box move as usual: large motion of one object,
// occlusion and disocclusion, a still background.
#version 3.7;
#include "world.inc"
sphere { <0, 0, 0>, 0.7
  texture {
    pigment { checker color rgb <0.95, 0.95, 0.9> color rgb <0.75, 0.1, 0.1> scale 0.35 }
    finish { ambient 0.08 specular 0.5 roughness 0.03 }
  }
  rotate z * (-clock * 360)
  translate <-3.2 + 5.0 * clock, 0.7, 3.2>
}
camera {
  perspective
  location <1.5, 2.4, -5.5>
  look_at <0.2, 1.4, 3.0>
  right x * image_width / image_height
  angle 64
}

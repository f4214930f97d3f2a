// Camera orbits the scene by 8 degrees and dollies in from 13 to 11.8 units in one second: at 1280x720 the far
// columns travel about 150 px between the keyframes while the near pillar grows and the sphere slips behind it.
#version 3.7;
#include "world.inc"
#declare Angle = radians(-4 + 8 * clock);
#declare Dist = 13 - 1.2 * clock;
#declare Target = <0, 1.6, 3.5>;
camera {
  perspective
  location Target + <Dist * sin(Angle), 2.8, -Dist * cos(Angle)>
  look_at Target
  right x * image_width / image_height
  angle 60
}

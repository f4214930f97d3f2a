// Camera orbits the scene by 16 degrees and dollies in from 13 to 11 units in one second.
#version 3.7;
#include "world.inc"
#declare Angle = radians(-8 + 16 * clock);
#declare Dist = 13 - 2 * clock;
#declare Target = <0, 1.6, 3.5>;
camera {
  perspective
  location Target + <Dist * sin(Angle), 2.8, -Dist * cos(Angle)>
  look_at Target
  right x * image_width / image_height
  angle 60
}

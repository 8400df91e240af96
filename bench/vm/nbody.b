implement Nbody;

# The benchmarks game n-body simulation (5 bodies), 1,000,000 steps of
# 0.01. Prints the energy before and after, as the game's programs do.

include "sys.m";
	sys: Sys;
include "draw.m";
include "math.m";
	math: Math;

Nbody: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

STEPS: con 1000000;
PI: con 3.141592653589793;
SOLAR_MASS: con 4.0 * PI * PI;
DAYS_PER_YEAR: con 365.24;

Body: adt {
	x, y, z, vx, vy, vz, mass: real;
};

advance(bodies: array of ref Body, dt: real)
{
	nbody := len bodies;
	for(i := 0; i < nbody; i++){
		bi := bodies[i];
		bix := bi.x; biy := bi.y; biz := bi.z; bimass := bi.mass;
		bivx := bi.vx; bivy := bi.vy; bivz := bi.vz;
		for(j := i+1; j < nbody; j++){
			bj := bodies[j];
			dx := bix - bj.x; dy := biy - bj.y; dz := biz - bj.z;
			d2 := dx*dx + dy*dy + dz*dz;
			mag := math->sqrt(d2);
			mag = dt / (mag * d2);
			bm := bj.mass * mag;
			bivx -= dx * bm;
			bivy -= dy * bm;
			bivz -= dz * bm;
			bm = bimass * mag;
			bj.vx += dx * bm;
			bj.vy += dy * bm;
			bj.vz += dz * bm;
		}
		bi.vx = bivx;
		bi.vy = bivy;
		bi.vz = bivz;
		bi.x = bix + dt * bivx;
		bi.y = biy + dt * bivy;
		bi.z = biz + dt * bivz;
	}
}

energy(bodies: array of ref Body): real
{
	e := 0.0;
	nbody := len bodies;
	for(i := 0; i < nbody; i++){
		bi := bodies[i];
		vx := bi.vx; vy := bi.vy; vz := bi.vz; bim := bi.mass;
		e += 0.5 * bim * (vx*vx + vy*vy + vz*vz);
		for(j := i+1; j < nbody; j++){
			bj := bodies[j];
			dx := bi.x - bj.x; dy := bi.y - bj.y; dz := bi.z - bj.z;
			distance := math->sqrt(dx*dx + dy*dy + dz*dz);
			e -= (bim * bj.mass) / distance;
		}
	}
	return e;
}

offsetmomentum(bodies: array of ref Body)
{
	px := 0.0; py := 0.0; pz := 0.0;
	for(i := 0; i < len bodies; i++){
		bi := bodies[i];
		px += bi.vx * bi.mass;
		py += bi.vy * bi.mass;
		pz += bi.vz * bi.mass;
	}
	bodies[0].vx = -px / SOLAR_MASS;
	bodies[0].vy = -py / SOLAR_MASS;
	bodies[0].vz = -pz / SOLAR_MASS;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	math = load Math Math->PATH;
	bodies := array[] of {
		# Sun
		ref Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
		# Jupiter
		ref Body(4.84143144246472090e+00,
			-1.16032004402742839e+00,
			-1.03622044471123109e-01,
			1.66007664274403694e-03 * DAYS_PER_YEAR,
			7.69901118419740425e-03 * DAYS_PER_YEAR,
			-6.90460016972063023e-05 * DAYS_PER_YEAR,
			9.54791938424326609e-04 * SOLAR_MASS),
		# Saturn
		ref Body(8.34336671824457987e+00,
			4.12479856412430479e+00,
			-4.03523417114321381e-01,
			-2.76742510726862411e-03 * DAYS_PER_YEAR,
			4.99852801234917238e-03 * DAYS_PER_YEAR,
			2.30417297573763929e-05 * DAYS_PER_YEAR,
			2.85885980666130812e-04 * SOLAR_MASS),
		# Uranus
		ref Body(1.28943695621391310e+01,
			-1.51111514016986312e+01,
			-2.23307578892655734e-01,
			2.96460137564761618e-03 * DAYS_PER_YEAR,
			2.37847173959480950e-03 * DAYS_PER_YEAR,
			-2.96589568540237556e-05 * DAYS_PER_YEAR,
			4.36624404335156298e-05 * SOLAR_MASS),
		# Neptune
		ref Body(1.53796971148509165e+01,
			-2.59193146099879641e+01,
			1.79258772950371181e-01,
			2.68067772490389322e-03 * DAYS_PER_YEAR,
			1.62824170038242295e-03 * DAYS_PER_YEAR,
			-9.51592254519715870e-05 * DAYS_PER_YEAR,
			5.15138902046611451e-05 * SOLAR_MASS),
	};
	offsetmomentum(bodies);
	sys->print("%.9f\n", energy(bodies));
	for(i := 0; i < STEPS; i++)
		advance(bodies, 0.01);
	sys->print("%.9f\n", energy(bodies));
}

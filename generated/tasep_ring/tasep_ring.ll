; ModuleID = "tasep_ring"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"tasep_ring"(i64* noalias %"occ", i64* noalias %"old", double* noalias %"clock", i64* noalias %"ctr", i64* noalias %"att", i64* noalias %"cur", i64* noalias %"viol", i64 %"n_rep", i64 %"L", i64 %"nbond", i64 %"n_iter", double %"t_end", i64 %"seed", double %"rmax", i64 %"ns") nounwind
{
entry:
  %"occ.slot" = alloca i64*
  store i64* %"occ", i64** %"occ.slot"
  %"old.slot" = alloca i64*
  store i64* %"old", i64** %"old.slot"
  %"clock.slot" = alloca double*
  store double* %"clock", double** %"clock.slot"
  %"ctr.slot" = alloca i64*
  store i64* %"ctr", i64** %"ctr.slot"
  %"att.slot" = alloca i64*
  store i64* %"att", i64** %"att.slot"
  %"cur.slot" = alloca i64*
  store i64* %"cur", i64** %"cur.slot"
  %"viol.slot" = alloca i64*
  store i64* %"viol", i64** %"viol.slot"
  %"n_rep.slot" = alloca i64
  store i64 %"n_rep", i64* %"n_rep.slot"
  %"L.slot" = alloca i64
  store i64 %"L", i64* %"L.slot"
  %"nbond.slot" = alloca i64
  store i64 %"nbond", i64* %"nbond.slot"
  %"n_iter.slot" = alloca i64
  store i64 %"n_iter", i64* %"n_iter.slot"
  %"t_end.slot" = alloca double
  store double %"t_end", double* %"t_end.slot"
  %"seed.slot" = alloca i64
  store i64 %"seed", i64* %"seed.slot"
  %"rmax.slot" = alloca double
  store double %"rmax", double* %"rmax.slot"
  %"ns.slot" = alloca i64
  store i64 %"ns", i64* %"ns.slot"
  %"r.slot" = alloca i64
  %"base.slot" = alloca i64
  %"cbase.slot" = alloca i64
  %"clk.slot" = alloca double
  %"nd.slot" = alloca i64
  %"na.slot" = alloca i64
  %"nv.slot" = alloca i64
  %"u.slot" = alloca double
  %"rate.slot" = alloca double
  %"tau.slot" = alloca double
  %"cum.slot" = alloca double
  %"i.slot" = alloca i64
  %"jt.slot" = alloca i64
  %"nf.slot" = alloca i64
  %"nt.slot" = alloca i64
  %"si.slot" = alloca i64
  %"kk.slot" = alloca i64
  %"bb.slot" = alloca i64
  %"slot.slot" = alloca i64
  %"rng_key.slot" = alloca i64
  %"rng_state.slot" = alloca i64
  %"rng_bits.slot" = alloca i64
  %"it.slot" = alloca i64
  %"mv.slot" = alloca i64
  br label %"body"
body:
  %".32" = load i64, i64* %"n_rep.slot"
  store i64 0, i64* %"r.slot"
  br label %"r.head"
r.head:
  %".35" = load i64, i64* %"r.slot"
  %".36" = icmp slt i64 %".35", %".32"
  br i1 %".36", label %"r.body", label %"r.done"
r.body:
  %".38" = load i64, i64* %"r.slot"
  %".39" = load i64, i64* %"L.slot"
  %".40" = mul i64 %".38", %".39"
  store i64 %".40", i64* %"base.slot"
  %".42" = load i64, i64* %"r.slot"
  %".43" = load i64, i64* %"nbond.slot"
  %".44" = mul i64 %".42", %".43"
  store i64 %".44", i64* %"cbase.slot"
  %".46" = load double*, double** %"clock.slot"
  %".47" = load i64, i64* %"r.slot"
  %".48" = getelementptr inbounds double, double* %".46", i64 %".47"
  %".49" = load double, double* %".48"
  store double %".49", double* %"clk.slot"
  store i64 0, i64* %"nd.slot"
  store i64 0, i64* %"na.slot"
  store i64 0, i64* %"nv.slot"
  store double              0x0, double* %"u.slot"
  store double              0x0, double* %"rate.slot"
  store double              0x0, double* %"tau.slot"
  store double              0x0, double* %"cum.slot"
  store i64 0, i64* %"i.slot"
  store i64 0, i64* %"jt.slot"
  store i64 0, i64* %"nf.slot"
  store i64 0, i64* %"nt.slot"
  store i64 0, i64* %"si.slot"
  store i64 0, i64* %"kk.slot"
  store i64 0, i64* %"bb.slot"
  store i64 0, i64* %"slot.slot"
  %".66" = load i64, i64* %"r.slot"
  %".67" = add i64 %".66", 7146057691288625177
  store i64 %".67", i64* %"rng_key.slot"
  %".69" = load i64, i64* %"rng_key.slot"
  %".70" = load i64, i64* %"rng_key.slot"
  %".71" = lshr i64 %".70", 30
  %".72" = xor i64 %".69", %".71"
  %".73" = mul i64 %".72", 13787848793156543929
  store i64 %".73", i64* %"rng_key.slot"
  %".75" = load i64, i64* %"rng_key.slot"
  %".76" = load i64, i64* %"rng_key.slot"
  %".77" = lshr i64 %".76", 27
  %".78" = xor i64 %".75", %".77"
  %".79" = mul i64 %".78", 10723151780598845931
  store i64 %".79", i64* %"rng_key.slot"
  %".81" = load i64, i64* %"rng_key.slot"
  %".82" = load i64, i64* %"rng_key.slot"
  %".83" = lshr i64 %".82", 31
  %".84" = xor i64 %".81", %".83"
  store i64 %".84", i64* %"rng_key.slot"
  %".86" = load i64, i64* %"seed.slot"
  %".87" = load i64, i64* %"rng_key.slot"
  %".88" = xor i64 %".86", %".87"
  store i64 %".88", i64* %"rng_key.slot"
  %".90" = load i64, i64* %"rng_key.slot"
  %".91" = load i64, i64* %"rng_key.slot"
  %".92" = lshr i64 %".91", 30
  %".93" = xor i64 %".90", %".92"
  %".94" = mul i64 %".93", 13787848793156543929
  store i64 %".94", i64* %"rng_key.slot"
  %".96" = load i64, i64* %"rng_key.slot"
  %".97" = load i64, i64* %"rng_key.slot"
  %".98" = lshr i64 %".97", 27
  %".99" = xor i64 %".96", %".98"
  %".100" = mul i64 %".99", 10723151780598845931
  store i64 %".100", i64* %"rng_key.slot"
  %".102" = load i64, i64* %"rng_key.slot"
  %".103" = load i64, i64* %"rng_key.slot"
  %".104" = lshr i64 %".103", 31
  %".105" = xor i64 %".102", %".104"
  store i64 %".105", i64* %"rng_key.slot"
  %".107" = load i64, i64* %"rng_key.slot"
  %".108" = load i64*, i64** %"ctr.slot"
  %".109" = load i64, i64* %"r.slot"
  %".110" = getelementptr inbounds i64, i64* %".108", i64 %".109"
  %".111" = load i64, i64* %".110"
  %".112" = mul i64 %".111", 11400714819323198485
  %".113" = add i64 %".107", %".112"
  store i64 %".113", i64* %"rng_state.slot"
  store i64 0, i64* %"rng_bits.slot"
  %".116" = load i64, i64* %"n_iter.slot"
  store i64 0, i64* %"it.slot"
  br label %"it.head"
r.done:
  ret void
it.head:
  %".119" = load i64, i64* %"it.slot"
  %".120" = icmp slt i64 %".119", %".116"
  br i1 %".120", label %"it.body", label %"it.done"
it.body:
  %".122" = load double, double* %"clk.slot"
  %".123" = load double, double* %"t_end.slot"
  %".124" = fcmp olt double %".122", %".123"
  br i1 %".124", label %"if.then", label %"if.else"
it.done:
  %".306" = load double*, double** %"clock.slot"
  %".307" = load i64, i64* %"r.slot"
  %".308" = getelementptr inbounds double, double* %".306", i64 %".307"
  %".309" = load double, double* %"clk.slot"
  store double %".309", double* %".308"
  %".311" = load i64*, i64** %"ctr.slot"
  %".312" = load i64, i64* %"r.slot"
  %".313" = getelementptr inbounds i64, i64* %".311", i64 %".312"
  %".314" = load i64*, i64** %"ctr.slot"
  %".315" = load i64, i64* %"r.slot"
  %".316" = getelementptr inbounds i64, i64* %".314", i64 %".315"
  %".317" = load i64, i64* %".316"
  %".318" = load i64, i64* %"nd.slot"
  %".319" = load i64, i64* %"na.slot"
  %".320" = add i64 %".318", %".319"
  %".321" = add i64 %".317", %".320"
  store i64 %".321", i64* %".313"
  %".323" = load i64*, i64** %"att.slot"
  %".324" = load i64, i64* %"r.slot"
  %".325" = getelementptr inbounds i64, i64* %".323", i64 %".324"
  %".326" = load i64*, i64** %"att.slot"
  %".327" = load i64, i64* %"r.slot"
  %".328" = getelementptr inbounds i64, i64* %".326", i64 %".327"
  %".329" = load i64, i64* %".328"
  %".330" = load i64, i64* %"na.slot"
  %".331" = add i64 %".329", %".330"
  store i64 %".331", i64* %".325"
  %".333" = load i64*, i64** %"viol.slot"
  %".334" = load i64, i64* %"r.slot"
  %".335" = getelementptr inbounds i64, i64* %".333", i64 %".334"
  %".336" = load i64*, i64** %"viol.slot"
  %".337" = load i64, i64* %"r.slot"
  %".338" = getelementptr inbounds i64, i64* %".336", i64 %".337"
  %".339" = load i64, i64* %".338"
  %".340" = load i64, i64* %"nv.slot"
  %".341" = add i64 %".339", %".340"
  store i64 %".341", i64* %".335"
  %".343" = load i64, i64* %"r.slot"
  %".344" = add i64 %".343", 1
  store i64 %".344", i64* %"r.slot"
  br label %"r.head"
if.then:
  %".126" = load i64, i64* %"rng_state.slot"
  %".127" = add i64 %".126", 11400714819323198485
  store i64 %".127", i64* %"rng_state.slot"
  %".129" = load i64, i64* %"rng_state.slot"
  store i64 %".129", i64* %"rng_bits.slot"
  %".131" = load i64, i64* %"rng_bits.slot"
  %".132" = load i64, i64* %"rng_bits.slot"
  %".133" = lshr i64 %".132", 30
  %".134" = xor i64 %".131", %".133"
  %".135" = mul i64 %".134", 13787848793156543929
  store i64 %".135", i64* %"rng_bits.slot"
  %".137" = load i64, i64* %"rng_bits.slot"
  %".138" = load i64, i64* %"rng_bits.slot"
  %".139" = lshr i64 %".138", 27
  %".140" = xor i64 %".137", %".139"
  %".141" = mul i64 %".140", 10723151780598845931
  store i64 %".141", i64* %"rng_bits.slot"
  %".143" = load i64, i64* %"rng_bits.slot"
  %".144" = load i64, i64* %"rng_bits.slot"
  %".145" = lshr i64 %".144", 31
  %".146" = xor i64 %".143", %".145"
  store i64 %".146", i64* %"rng_bits.slot"
  %".148" = load i64, i64* %"rng_bits.slot"
  %".149" = lshr i64 %".148", 11
  %".150" = uitofp i64 %".149" to double
  %".151" = fmul double %".150", 0x3ca0000000000000
  %".152" = fsub double 0x3ff0000000000000, %".151"
  %".153" = call double @"llvm.log.f64"(double %".152")
  %".154" = fneg double %".153"
  store double %".154", double* %"tau.slot"
  %".156" = load i64, i64* %"nd.slot"
  %".157" = add i64 %".156", 1
  store i64 %".157", i64* %"nd.slot"
  %".159" = load double, double* %"clk.slot"
  %".160" = load double, double* %"tau.slot"
  %".161" = load i64, i64* %"ns.slot"
  %".162" = sitofp i64 %".161" to double
  %".163" = load double, double* %"rmax.slot"
  %".164" = fmul double %".162", %".163"
  %".165" = fdiv double %".160", %".164"
  %".166" = fadd double %".159", %".165"
  store double %".166", double* %"clk.slot"
  %".168" = load double, double* %"clk.slot"
  %".169" = load double, double* %"t_end.slot"
  %".170" = fcmp olt double %".168", %".169"
  br i1 %".170", label %"if.then.1", label %"if.else.1"
if.else:
  br label %"if.done"
if.done:
  %".302" = load i64, i64* %"it.slot"
  %".303" = add i64 %".302", 1
  store i64 %".303", i64* %"it.slot"
  br label %"it.head"
if.then.1:
  %".172" = load i64, i64* %"rng_state.slot"
  %".173" = add i64 %".172", 11400714819323198485
  store i64 %".173", i64* %"rng_state.slot"
  %".175" = load i64, i64* %"rng_state.slot"
  store i64 %".175", i64* %"rng_bits.slot"
  %".177" = load i64, i64* %"rng_bits.slot"
  %".178" = load i64, i64* %"rng_bits.slot"
  %".179" = lshr i64 %".178", 30
  %".180" = xor i64 %".177", %".179"
  %".181" = mul i64 %".180", 13787848793156543929
  store i64 %".181", i64* %"rng_bits.slot"
  %".183" = load i64, i64* %"rng_bits.slot"
  %".184" = load i64, i64* %"rng_bits.slot"
  %".185" = lshr i64 %".184", 27
  %".186" = xor i64 %".183", %".185"
  %".187" = mul i64 %".186", 10723151780598845931
  store i64 %".187", i64* %"rng_bits.slot"
  %".189" = load i64, i64* %"rng_bits.slot"
  %".190" = load i64, i64* %"rng_bits.slot"
  %".191" = lshr i64 %".190", 31
  %".192" = xor i64 %".189", %".191"
  store i64 %".192", i64* %"rng_bits.slot"
  %".194" = load i64, i64* %"rng_bits.slot"
  %".195" = lshr i64 %".194", 32
  %".196" = load i64, i64* %"ns.slot"
  %".197" = mul i64 %".195", %".196"
  %".198" = lshr i64 %".197", 32
  store i64 %".198", i64* %"slot.slot"
  %".200" = load i64, i64* %"na.slot"
  %".201" = add i64 %".200", 1
  store i64 %".201", i64* %"na.slot"
  %".203" = load i64, i64* %"slot.slot"
  store i64 %".203", i64* %"si.slot"
  %".205" = load i64, i64* %"si.slot"
  store i64 %".205", i64* %"i.slot"
  %".207" = load i64*, i64** %"occ.slot"
  %".208" = load i64, i64* %"base.slot"
  %".209" = load i64, i64* %"i.slot"
  %".210" = add i64 %".208", %".209"
  %".211" = getelementptr inbounds i64, i64* %".207", i64 %".210"
  %".212" = load i64, i64* %".211"
  store i64 %".212", i64* %"nf.slot"
  %".214" = load i64, i64* %"i.slot"
  %".215" = add i64 %".214", 1
  store i64 %".215", i64* %"jt.slot"
  %".217" = load i64, i64* %"jt.slot"
  %".218" = load i64, i64* %"L.slot"
  %".219" = icmp sge i64 %".217", %".218"
  br i1 %".219", label %"if.then.2", label %"if.else.2"
if.else.1:
  br label %"if.done.1"
if.done.1:
  %".295" = load double, double* %"clk.slot"
  %".296" = load double, double* %"t_end.slot"
  %".297" = fcmp olt double %".295", %".296"
  %".298" = select  i1 %".297", double %".295", double %".296"
  store double %".298", double* %"clk.slot"
  br label %"if.done"
if.then.2:
  %".221" = load i64, i64* %"jt.slot"
  %".222" = load i64, i64* %"L.slot"
  %".223" = sub i64 %".221", %".222"
  store i64 %".223", i64* %"jt.slot"
  br label %"if.done.2"
if.else.2:
  br label %"if.done.2"
if.done.2:
  %".227" = load i64*, i64** %"occ.slot"
  %".228" = load i64, i64* %"base.slot"
  %".229" = load i64, i64* %"jt.slot"
  %".230" = add i64 %".228", %".229"
  %".231" = getelementptr inbounds i64, i64* %".227", i64 %".230"
  %".232" = load i64, i64* %".231"
  store i64 %".232", i64* %"nt.slot"
  %".234" = load i64, i64* %"nf.slot"
  %".235" = icmp eq i64 %".234", 1
  %".236" = load i64, i64* %"nt.slot"
  %".237" = icmp eq i64 %".236", 0
  %".238" = and i1 %".235", %".237"
  %".239" = zext i1 %".238" to i64
  store i64 %".239", i64* %"mv.slot"
  %".241" = load i64*, i64** %"occ.slot"
  %".242" = load i64, i64* %"base.slot"
  %".243" = load i64, i64* %"i.slot"
  %".244" = add i64 %".242", %".243"
  %".245" = getelementptr inbounds i64, i64* %".241", i64 %".244"
  %".246" = load i64, i64* %"nf.slot"
  %".247" = load i64, i64* %"mv.slot"
  %".248" = sub i64 %".246", %".247"
  store i64 %".248", i64* %".245"
  %".250" = load i64*, i64** %"occ.slot"
  %".251" = load i64, i64* %"base.slot"
  %".252" = load i64, i64* %"jt.slot"
  %".253" = add i64 %".251", %".252"
  %".254" = getelementptr inbounds i64, i64* %".250", i64 %".253"
  %".255" = load i64, i64* %"nt.slot"
  %".256" = load i64, i64* %"mv.slot"
  %".257" = add i64 %".255", %".256"
  store i64 %".257", i64* %".254"
  %".259" = load i64*, i64** %"cur.slot"
  %".260" = load i64, i64* %"cbase.slot"
  %".261" = load i64, i64* %"i.slot"
  %".262" = add i64 %".261", 1
  %".263" = load i64, i64* %"L.slot"
  %".264" = icmp sge i64 %".262", %".263"
  %".265" = load i64, i64* %"i.slot"
  %".266" = add i64 %".265", 1
  %".267" = load i64, i64* %"L.slot"
  %".268" = sub i64 %".266", %".267"
  %".269" = load i64, i64* %"i.slot"
  %".270" = add i64 %".269", 1
  %".271" = select  i1 %".264", i64 %".268", i64 %".270"
  %".272" = add i64 %".260", %".271"
  %".273" = getelementptr inbounds i64, i64* %".259", i64 %".272"
  %".274" = load i64*, i64** %"cur.slot"
  %".275" = load i64, i64* %"cbase.slot"
  %".276" = load i64, i64* %"i.slot"
  %".277" = add i64 %".276", 1
  %".278" = load i64, i64* %"L.slot"
  %".279" = icmp sge i64 %".277", %".278"
  %".280" = load i64, i64* %"i.slot"
  %".281" = add i64 %".280", 1
  %".282" = load i64, i64* %"L.slot"
  %".283" = sub i64 %".281", %".282"
  %".284" = load i64, i64* %"i.slot"
  %".285" = add i64 %".284", 1
  %".286" = select  i1 %".279", i64 %".283", i64 %".285"
  %".287" = add i64 %".275", %".286"
  %".288" = getelementptr inbounds i64, i64* %".274", i64 %".287"
  %".289" = load i64, i64* %".288"
  %".290" = load i64, i64* %"mv.slot"
  %".291" = add i64 %".289", %".290"
  store i64 %".291", i64* %".273"
  br label %"if.done.1"
}

declare double @"llvm.log.f64"(double %".1")
